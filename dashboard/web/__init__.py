"""The web server around the Streamlit app (server.py): sign-in and sign-out routes, the session
gate in front of every page, security headers. Pages never import this package."""
