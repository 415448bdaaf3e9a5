"""Data (administrators): what has been loaded, what was rejected and why, data-quality findings,
and loading new exports from the browser. An upload is queued as a job that the loader worker runs
with the same loader as `python -m etl load`: the page returns at once and follows the job."""

import streamlit as st

from dashboard.store import db
from dashboard.ui import downloads, session
from dashboard.ui.markdown import escape_markdown
from dashboard.ui.notes import build_progress, inbox_quiet, load_results
from dashboard.views import inbox, loads, publishing

identity = session.require("data")
st.title("Data")

st.subheader("Load exports")
upload_round = st.session_state.get("upload_round", 0)  # a new key gives an empty uploader once files are queued
uploads = st.file_uploader(
    "Attendance, measures, roster, authorization or diagnosis exports (CSV, XLSX, FHIR JSON)",
    accept_multiple_files=True,
    type=["csv", "tsv", "txt", "xlsx", "json"],
    key=f"uploads-{upload_round}",
)
kind = st.selectbox(
    "Kind of export",
    ["recognise from the header", *loads.KINDS],
    key="upload_kind",
    help="Leave it to the header unless a file's columns fit no kind, or more than one.",
)
if uploads and st.button("Load these files", key="load", type="primary"):
    try:
        loads.start_upload(
            [(upload.name, upload.getvalue()) for upload in uploads],
            kind if kind in loads.KINDS else None,
            identity.user,
            identity.role,
        )
    except OSError:
        st.error("The files could not be stored for loading (is the disk full?); nothing was queued.")
    else:
        st.session_state["upload_round"] = upload_round + 1
        st.rerun()


def upload_jobs() -> None:
    """This administrator's uploads: waiting, loading (with the loader's progress) or done (with
    the results, kept after a reload). Runs again on its own while a job is waiting or loading."""
    jobs = loads.uploads(identity.user)
    if st.session_state.get("uploads_active", set()) - {j.job_id for j in jobs if j.active}:
        st.rerun(scope="app")  # one has finished: the history below shows its load
    for i, job in enumerate(jobs):
        with st.container(border=True, key=f"upload-job-{job.job_id}"):
            st.markdown(f"**{job.state}** · {escape_markdown(job.detail)}")
            if job.fraction is not None:
                st.progress(job.fraction, text=escape_markdown(job.step))
            elif job.step:
                st.caption(escape_markdown(job.step))
            if job.warning:
                st.warning(escape_markdown(job.warning), icon=":material/sync_problem:")
            if job.results and i == 0:
                load_results(job.results)
            elif job.results:
                with st.expander("Results"):
                    load_results(job.results)


active = {j.job_id for j in loads.uploads(identity.user) if j.active}
st.session_state["uploads_active"] = active
st.fragment(upload_jobs, run_every=loads.POLL_SECONDS if active else None)()

arrivals = inbox.view()
if arrivals is not None:
    st.subheader("Inbox")
    st.caption(
        "Exports dropped in "
        + escape_markdown(" and ".join(arrivals.folders))
        + " are loaded by the watcher, then kept in its processed/ or failed/ folder with their results."
    )
    inbox_quiet()
    downloads.records(
        arrivals.arrivals,
        "inbox",
        "inbox arrivals",
        "data",
        column_config={
            "arrived": st.column_config.DatetimeColumn("Arrived (UTC)", format="D MMM YYYY HH:mm:ss"),
            "file": "File",
            "size_kb": st.column_config.NumberColumn("Size (kB)", format="%.1f"),
            "status": "Status",
            "seen_to_loaded_s": st.column_config.NumberColumn("Seen to loaded (s)", format="%d"),
            "result": "Result",
            "kept_as": "Kept as",
        },
    )

published = publishing.latest()
if published is not None:
    st.caption(
        f"The latest database was published to {published.reached} of {published.servers} other server(s) at "
        f"{escape_markdown(published.at)} UTC "
        "(settings [servers] publish_to)."
    )
    for problem in published.failed:
        st.warning(escape_markdown(problem), icon=":material/dns:")

try:
    frames = loads.history()
except db.NoData as e:
    st.info(str(e))
    st.stop()

st.subheader("Load history")
build_progress()
downloads.records(frames["loads"], "loads", "load history", "data")

st.subheader("Rejected rows")
search = st.text_input("Filter by file or reason", key="reject_search").strip() or None
downloads.records(loads.rejects(search), "rejects", "rejected rows", "data")

st.subheader("Data-quality findings")
st.dataframe(frames["quality"], hide_index=True, key="quality", column_config={"finding": "Finding", "n": "Count"})
downloads.records(frames["findings"], "findings", "data-quality findings", "data")
