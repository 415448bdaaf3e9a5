"""The Streamlit pages: one file per page, layout only (a package so that import rules can be checked)."""
