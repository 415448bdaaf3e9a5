"""The dashboard's web server: the Streamlit app (streamlit_app.py) served as an ASGI app, with the
sign-in routes, the session gate and security headers in front of it. `make run` starts it with
`streamlit run server.py`; so do the browser tests."""

import importlib
import logging
import os

import streamlit as st
from starlette.middleware import Middleware

from dashboard.access import signin_policy
from dashboard.web import media, proxy
from dashboard.web.errors import on_script_error, quiet_streamlit_error_log
from dashboard.web.gate import Gate
from dashboard.web.routes import ROUTES

os.umask(0o077)  # every file the server creates (state store, uploads, exports) is the owner's only
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
if signin_policy.development():
    st.set_option("client.showErrorDetails", "full")
else:
    quiet_streamlit_error_log()

# the pages' modules and their libraries (pandas, plotly, DuckDB, SciPy: over a second) are imported as
# the server starts, not in the first page run of the first visitor (dashboard.ui.selection also registers the
# quality release's warm-up after each load, dashboard/privacy/release.py)
for module in (
    "dashboard.ui.selection",
    "dashboard.views.summary",
    "dashboard.views.caseload",
    "dashboard.views.groups",
    "dashboard.views.participant",
    "dashboard.views.stay_review",
    "dashboard.charts.subscales",
    "dashboard.documents.case_review",
    "dashboard.documents.board_pack",
    "dashboard.charts.overview",
    "dashboard.charts.cohorts",
    "dashboard.charts.summary",
    "dashboard.charts.trajectory",
    "dashboard.charts.items",
    "dashboard.charts.attendance",
):
    importlib.import_module(module)

media.install()  # each file Streamlit serves goes only to the session that made it
proxy.install()  # X-Forwarded-For believed only from IOP_TRUSTED_PROXY (none by default)
app = st.App("streamlit_app.py", routes=ROUTES, middleware=[Middleware(Gate)], on_script_error=on_script_error)
