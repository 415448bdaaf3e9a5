"""Access control: accounts, sessions, throttled sign-in, and which role opens which page.

No Streamlit here: the web server's routes and middleware (dashboard/web) and the pages'
session checks (dashboard/ui/session.py) both read these modules."""
