"""Data (administrators): what has been loaded, what was rejected and why, data-quality findings,
and loading new exports from the browser through the same loader as `python -m etl load`."""
import streamlit as st

from dashboard import audit, db, downloads, loads, session
from dashboard.widgets import load_results

identity = session.require("data")
st.title("Data")

st.subheader("Load exports")
uploads = st.file_uploader("Attendance, measures or roster exports (CSV, XLSX, FHIR JSON)", accept_multiple_files=True,
                           type=["csv", "tsv", "txt", "xlsx", "json"], key="uploads")
kind = st.selectbox("Kind of export", ["recognise from the header", *loads.KINDS], key="upload_kind",
                    help="Leave it to the header unless a file's columns fit no kind, or more than one.")
if uploads and st.button("Load these files", key="load", type="primary"):
    with st.spinner("Loading…"):
        results = loads.load_uploads([(upload.name, upload.getvalue()) for upload in uploads],
                                     kind if kind in loads.KINDS else None)
    for r in results:
        audit.record("load", identity.user, identity.role, page="data", file=r.path.name, status=r.status, **r.counts)
    load_results(results)

try:
    frames = loads.history()
except db.NoData as e:
    st.info(str(e))
    st.stop()

st.subheader("Load history")
downloads.records(frames["loads"], "loads", "load history", "data")

st.subheader("Rejected rows")
search = st.text_input("Filter by file or reason", key="reject_search").strip() or None
downloads.records(loads.rejects(search), "rejects", "rejected rows", "data")

st.subheader("Data-quality findings")
st.dataframe(frames["quality"], hide_index=True, key="quality", column_config={"finding": "Finding", "n": "Count"})
downloads.records(frames["findings"], "findings", "data-quality findings", "data")
