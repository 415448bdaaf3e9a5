"""The sign-in page: plain server-rendered HTML (no script), every dynamic value escaped."""

from __future__ import annotations

from html import escape

STYLE = """
body { font-family: "Source Sans Pro", system-ui, sans-serif; background: #f6f7f9; color: #262730; margin: 0; }
main { max-width: 26rem; margin: 8vh auto; background: #fff; padding: 2rem 2.25rem; border-radius: .5rem;
       box-shadow: 0 1px 3px rgba(0,0,0,.12); }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
p.note { color: #555; font-size: .9rem; margin: 0 0 1.5rem; }
label { display: block; font-weight: 600; margin: 1rem 0 .3rem; }
input[type=text], input[type=password] { width: 100%; box-sizing: border-box; padding: .55rem .6rem; font-size: 1rem;
       border: 1px solid #bbb; border-radius: .3rem; }
button, a.sso { display: block; width: 100%; margin-top: 1.5rem; padding: .6rem; font-size: 1rem; border-radius: .3rem;
       border: 0; background: #1f4e79; color: #fff; cursor: pointer; text-align: center; text-decoration: none; box-sizing: border-box; }
a.sso { background: #fff; color: #1f4e79; border: 1px solid #1f4e79; margin-top: 0; }
p.message { padding: .6rem .75rem; border-radius: .3rem; background: #fff4e5; border: 1px solid #f0c36d; }
p.message.info { background: #eef5fb; border-color: #9cc3e5; }
"""

NOTICE = "Mental-health and addiction treatment records (HIPAA, 42 CFR Part 2): sign in to continue."


def render(
    next_path: str, csrf: str, message: str = "", info: bool = False, sso: bool = False, passwords: bool = True
) -> str:
    parts = [f'<p class="message{" info" if info else ""}" role="alert">{escape(message)}</p>' if message else ""]
    if sso:
        parts.append(
            f'<a class="sso" href="/auth/sso?next={escape(_quote(next_path))}">'
            "Sign in with your organisation's account</a>"
        )
    if passwords:
        parts.append(f"""<form method="post" action="/auth/signin">
  <input type="hidden" name="next" value="{escape(next_path)}">
  <input type="hidden" name="csrf" value="{escape(csrf)}">
  <label for="username">User name</label>
  <input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" required autofocus>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Sign in</button>
</form>""")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · IOP outcomes</title><style>{STYLE}</style></head>
<body><main><h1>IOP outcomes dashboard</h1><p class="note">{escape(NOTICE)}</p>
{"".join(parts)}
</main></body></html>"""


def confirm_sign_out(csrf: str) -> str:
    """A sign-out asked for by an address alone (a link, another site): it ends the session only when
    the user confirms here (POST with this form's token)."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign out · IOP outcomes</title><style>{STYLE}</style></head>
<body><main><h1>Sign out?</h1><p class="note">You are signed in to the IOP outcomes dashboard.</p>
<form method="post" action="/auth/signout"><input type="hidden" name="csrf" value="{escape(csrf)}">
<button type="submit">Sign out</button></form>
<a class="sso" href="/" style="margin-top:1rem">Stay signed in</a></main></body></html>"""


def not_found(path: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>No such page · IOP outcomes</title><style>{STYLE}</style></head>
<body><main><h1>No page at this address</h1><p class="note">{escape(path[:200])} is not a page of the dashboard.</p>
<a class="sso" href="/">Go to your start page</a></main></body></html>"""


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="")
