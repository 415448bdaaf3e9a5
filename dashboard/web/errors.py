"""An unexpected error on a page: logged server-side with a reference, one line for the user.

The log holds the exception's type and where it happened, not its message or values, which can
name a participant. IOP_MODE=development shows Streamlit's own full error instead."""

from __future__ import annotations

import logging
import secrets

from dashboard.access import signin_policy
from dashboard.store.background import where

LOG = logging.getLogger("iop.errors")


def on_script_error(exc: BaseException) -> bool:
    reference = secrets.token_hex(4).upper()
    LOG.error("page error %s: %s\n%s", reference, type(exc).__name__, where(exc))
    if signin_policy.development():
        return False
    import streamlit as st

    st.error(
        f"Something went wrong on this page (reference {reference}). It has been logged; "
        "tell your administrator the reference if it happens again."
    )
    return True


class _DropUncaught(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "Uncaught app execution"


def quiet_streamlit_error_log() -> None:
    """Streamlit logs every page error with its message (which can name a participant); on_script_error
    logs it without. Development mode keeps Streamlit's log."""
    logging.getLogger("streamlit.error_util").addFilter(_DropUncaught())
