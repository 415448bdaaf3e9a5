"""Builds done off the page runs (dashboard/store/background.py): a failure is logged with its type
and where, never its message (which can name a participant), and kept, so the page that waits for
the build says it could not be built instead of "being prepared" until the next load."""

import logging

import pytest

from dashboard.store import background


def test_a_failed_build_is_logged_without_its_message_and_kept_until_one_succeeds(caplog):
    participant = "IOP-" + str(10290)  # from the data, as a build reads it

    def fails():
        raise ValueError(f"{participant} has no score")  # an exception's text can name a participant

    with caplog.at_level(logging.ERROR, logger="iop.background"):
        background.in_background(fails, "a test build")
        background.wait()
    assert background.failure("a test build") == ("could not be built (ValueError); the error is in the server's log")
    [record] = [r for r in caplog.records if r.name == "iop.background"]
    assert "ValueError" in record.getMessage() and "test_background.py" in record.getMessage()
    assert "IOP-10290" not in record.getMessage()
    background.in_background(lambda: None, "a test build")
    background.wait()
    assert background.failure("a test build") is None


@pytest.fixture
def demo(demo_db, monkeypatch):
    monkeypatch.setenv("IOP_DB", str(demo_db))
    return demo_db


def test_the_quality_measures_trend_says_when_earlier_quarters_could_not_be_built(demo, monkeypatch):
    from dashboard.privacy import page_data, release
    from dashboard.views.filters import options

    opts = options()
    quarter = release.quarters(opts.first_admission, opts.data_as_of)[0]
    monkeypatch.setattr(release, "prepare_trend", lambda *args: True)  # still being built ...
    assert page_data.measures("quality", opts, quarter=quarter, dimension="track").trend_note == (
        " Earlier quarters are being prepared: reload in a minute to see them."
    )
    monkeypatch.setitem(
        background.FAILED, release.TREND, "could not be built (MemoryError); the error is in the server's log"
    )
    assert page_data.measures("quality", opts, quarter=quarter, dimension="track").trend_note == (
        " Earlier quarters could not be built (MemoryError); the error is in the server's log."
    )


def test_an_unreadable_sign_in_cookie_from_the_identity_provider_is_logged(monkeypatch, caplog):
    """oidc.py reads the provider's answer through Streamlit's private auth functions: if an upgrade
    breaks them, every organisation sign-in would read as 'not signed in' with no line in the log."""
    from types import SimpleNamespace

    from streamlit.web.server.starlette import starlette_auth_routes
    from streamlit.web.server.starlette.starlette_server_config import USER_COOKIE_NAME

    from dashboard.web import oidc

    def broken(request, name):
        raise AttributeError("a private function changed")

    monkeypatch.setattr(starlette_auth_routes, "_get_cookie_value_from_request", broken)
    request = SimpleNamespace(cookies={USER_COOKIE_NAME: "signed-value"})
    with caplog.at_level(logging.ERROR, logger="iop.oidc"):
        assert oidc.provider_sign_in(request) is None
    [record] = [r for r in caplog.records if r.name == "iop.oidc"]
    assert "AttributeError" in record.getMessage() and "sign-in cookie could not be read" in record.getMessage()
