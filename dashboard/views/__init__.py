"""One view model per page: plain data in, plain data out (dataframes and dataclasses), no Streamlit."""
