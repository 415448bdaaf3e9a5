"""Entry point: navigation only. Every page is routable (so no address shows Streamlit's 'page not
found'); each role sees links to its own pages in the sidebar, and each page checks the role itself.
Sign-in happens before the app is reached (dashboard/web), so a run without a live session only
says why and sends the browser to sign in."""

import streamlit as st

from dashboard.access import pages
from dashboard.store import background
from dashboard.ui import session, view_state
from dashboard.ui.markdown import escape_markdown
from dashboard.ui.navigation import mark_navigation

st.set_page_config(page_title="IOP outcomes", page_icon="📈", layout="wide")

identity = session.current()
ALL = {
    slug: st.Page(
        p.script,
        title=p.title,
        url_path=slug,
        visibility="visible" if identity and identity.role in p.roles else "hidden",
    )
    for slug, p in pages.PAGES.items()
}


def start() -> None:
    """The app's root: each role's start page (the web server redirects there before this runs)."""
    if identity is None:
        session.leave(st.session_state.get("session_end_reason"))
        st.stop()
    st.switch_page(ALL[pages.START[identity.role]])


navigation = st.navigation(
    [st.Page(start, title="Start", url_path="start", default=True, visibility="hidden"), *ALL.values()],
    position="hidden",
)
if identity is not None:
    with st.sidebar:
        for page in pages.pages_for(identity.role):  # each link opens its page as this session last had it
            st.page_link(ALL[page.slug], label=page.title, query_params=view_state.address_for(page.slug))
        st.divider()
        st.caption(f"Signed in as {escape_markdown(identity.name)} ({identity.role})")
        st.button("Sign out", on_click=session.sign_out, key="sign_out")
        session.watch_expiry()
mark_navigation()
with background.foreground():  # builds in the background (after a load) wait while a page runs
    navigation.run()
