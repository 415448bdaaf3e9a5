"""The Streamlit pieces pages share: the signed-in session, tables, forms, pickers, filters, downloads,
view state in the address, navigation."""
