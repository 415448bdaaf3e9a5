"""AppTest of the Accounts page (administrators): add, reset, disable, enable; each change stored
and audited before the page says so; refusals say why; typed text is shown as typed."""

from conftest import app
from dashboard.access import accounts, sessions
from dashboard.store import audit
from dashboard.ui.session import TOKEN_KEY


def _page():
    at = app("admin", user="root.admin")
    at.run()
    at.switch_page("pages/accounts.py").run()
    assert not at.exception, at.exception
    return at


def _add(at, user, role="director", password="a long enough password", clinician="", sso=False):
    at.text_input(key="new_user").input(user)
    at.selectbox(key="new_role").set_value(role)
    at.text_input(key="new_clinician").input(clinician)
    at.toggle(key="new_sso").set_value(sso)
    at.text_input(key="new_password").input(password)
    at.button[0].click().run()  # the add form's submit button comes first
    return at


def test_an_administrator_adds_an_account_that_can_sign_in():
    at = _add(_page(), "m.novak", "clinician", clinician="Novak, J.")
    assert [s.value for s in at.success] == ["Saved: account m\\.novak added as clinician."]
    assert accounts.check_password("m.novak", "a long enough password").clinician == "Novak, J."
    table = at.dataframe[0].value
    assert table.set_index("user_name").loc["m.novak", "role"] == "clinician"
    assert "password_hash" not in table.columns
    [entry] = audit.entries().query("event == 'account_added' and user_name != 'test setup'").to_dict("records")
    assert (entry["user_name"], entry["role"]) == ("root.admin", "admin")


def test_refusals_say_why_and_store_nothing():
    at = _add(_page(), "x", password="short")
    assert [e.value for e in at.error] == ["Not saved: a password needs at least 12 characters."]
    at = _add(at, "y", role="clinician")
    assert at.error[0].value.startswith("Not saved: a clinician account needs")
    assert accounts.identity_of("x", "password") is None and accounts.identity_of("y", "password") is None


def test_reset_and_disable_end_the_accounts_sessions():
    at = _add(_page(), "dana")
    token = sessions.create(accounts.identity_of("dana", "password"))
    at.selectbox(key="change_user").set_value("dana")
    at.radio(key="change_kind").set_value("disable")
    at.button[1].click().run()
    assert [s.value for s in at.success] == ["Saved: dana disabled; their open sessions have ended."]
    assert sessions.check(token).identity is None
    assert at.dataframe[0].value.set_index("user_name").loc["dana", "status"] == "disabled"
    at.selectbox(key="change_user").set_value("dana")
    at.radio(key="change_kind").set_value("reset password")
    at.text_input(key="change_password").input("a different long password")
    at.button[1].click().run()
    assert accounts.check_password("dana", "a different long password") is None  # still disabled
    at.selectbox(key="change_user").set_value("dana")
    at.radio(key="change_kind").set_value("enable")
    at.button[1].click().run()
    assert accounts.check_password("dana", "a different long password").role == "director"


def test_markdown_typed_as_a_user_name_is_shown_as_typed():
    at = _add(_page(), "![x](http://example.org/beacon.png)", sso=True)
    [message] = [s.value for s in at.success]
    assert "![" not in message and "\\!\\[x\\]\\(http\\:\\/\\/example\\.org\\/beacon\\.png\\)" in message


def test_a_session_ended_elsewhere_cannot_change_accounts():
    at = _page()
    sessions.end(at.session_state[TOKEN_KEY])  # signed out in another tab
    _add(at, "late")
    assert accounts.identity_of("late", "password") is None
    assert "sign in" in " ".join(w.value for w in at.warning).lower()
