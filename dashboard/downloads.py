"""Every file the app lets out, from one place: built when its button is clicked, and written to
the audit log then with who, role, page, what, selection, rows and whether it was suppressed.
Care-team members choose, for each file, whether it is suppressed for sharing (the default) or
keeps true counts (its title then says INTERNAL); external roles always get suppressed files.
Streamlit's own table download is turned off (client.disableDataExport), so nothing bypasses this."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import audit, db, exports
from dashboard.privacy import policy

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _identity():
    return st.session_state.get("identity")   # this run's, checked by dashboard/session.py


def button(label: str, build: Callable[[], bytes], file_name: str, mime: str, key: str, page: str, kind: str,
           selection: str = "", rows: int | None = None, suppressed: bool | None = None,
           participant_id: str | None = None) -> None:
    """A download built on click (the callable runs outside the page run: who is acting is taken now)."""
    identity, scope = _identity(), db.current()

    def data() -> bytes:               # runs outside the page run: who, and what they may see, are kept from it
        with db.scoped(scope):
            content = build()
        audit.record("export", identity.user if identity else None, identity.role if identity else None, page=page,
                     participant_id=participant_id, kind=kind, file=file_name, filters=selection, rows=rows,
                     suppressed=suppressed)
        return content
    st.download_button(label, data, file_name=file_name, mime=mime, on_click="ignore", key=key)


def suppress_choice(key: str) -> bool:
    """Is the file for sharing outside the program (suppressed)? A choice for the care team, on by
    default; always for external roles, who get no choice."""
    identity = _identity()
    if identity is None or policy.external(identity.role) or not policy.threshold():
        return bool(policy.threshold())
    return st.toggle("Suppressed for sharing outside the program", value=True, key=key,
                     help="Off: true counts, for the care team only; the file's title then says INTERNAL.")


def as_text(table: pd.DataFrame) -> pd.DataFrame:
    """Counts with thousands separators beside their marks, for the screen (files keep numbers)."""
    def text(v):
        return f"{v:,}" if isinstance(v, (int, np.integer)) and not isinstance(v, bool) else v
    return table.apply(lambda column: column.map(text)).astype(object)


def _info(title: str, scope, payload, n: str) -> exports.FileInfo:
    return exports.FileInfo(title, scope.described, n, scope.data_as_of, payload.disclosure.note(),
                            not payload.disclosure.suppressed)


def chart(build: Callable[[object], object], key: str, title: str, scope, n: Callable[[object], str]) -> None:
    """A chart of a page scope (dashboard/scopes.py) and its PNG, SVG and PDF files."""
    st.plotly_chart(build(scope.shown), key=key)
    with st.popover("Download chart", key=f"{key}-downloads"):
        suppress = suppress_choice(f"{key}-suppress")
        formats = (("png", "image/png"), ("svg", "image/svg+xml"), ("pdf", "application/pdf"))
        if not exports.renderer_available():
            st.caption("Static images need Chromium on the server (apt-get install chromium): interactive HTML instead.")
            formats = (("html", "text/html"),)
        for fmt, mime in formats:
            def file(fmt=fmt) -> bytes:
                payload = scope.for_file(suppress)
                return exports.figure_file(build(payload), fmt, _info(title, scope, payload, n(payload)))
            button(fmt.upper(), file, f"{key}.{fmt}", mime, f"{key}-{fmt}", scope.page, f"chart {fmt.upper()}",
                   scope.described, suppressed=suppress)


def table(build: Callable[[object], pd.DataFrame], key: str, title: str, scope, n: Callable[[object], str],
          submission: tuple[Callable[[object], pd.DataFrame], dict[str, str]] | None = None, **dataframe_args) -> None:
    """A table of a page scope and its CSV and XLSX files (the same rows, suppressed as chosen); with
    submission (build, documented columns), also that submission file under the same choice."""
    shown = build(scope.shown)
    st.dataframe(as_text(shown), hide_index=True, key=key, **dataframe_args)
    left, *buttons = st.columns([2, 1, 1, 2] if submission else [2, 1, 1])
    with left:
        suppress = suppress_choice(f"{key}-suppress")

    def files(fmt: str) -> bytes:
        payload = scope.for_file(suppress)
        t, info = build(payload), _info(title, scope, payload, n(payload))
        return exports.table_csv(t, info) if fmt == "csv" else exports.table_xlsx(t, info, key)
    for column, fmt, mime in zip(buttons, ("csv", "xlsx"), ("text/csv", XLSX)):
        with column:
            button(fmt.upper(), lambda fmt=fmt: files(fmt), f"{key}.{fmt}", mime, f"{key}-{fmt}", scope.page,
                   f"table {fmt.upper()}", scope.described, rows=len(shown), suppressed=suppress)
    if submission:
        with buttons[2]:
            _submission(*submission, f"{key}-submission", f"{title}: submission", scope, n, "Submission (ZIP)", suppress)


def submission(build: Callable[[object], pd.DataFrame], columns: dict[str, str], key: str, title: str, scope,
               n: Callable[[object], str], label: str) -> None:
    """An identified submission file of the care team (exports.submission_zip): never suppressed,
    always marked INTERNAL; pages offer it only where the scope holds episodes."""
    _submission(build, columns, key, title, scope, n, label, None)


def _submission(build, columns, key, title, scope, n, label, suppress: bool | None) -> None:
    """suppress None: identified rows, true counts and INTERNAL whatever the role's choice."""
    def file() -> bytes:
        payload = scope.for_file(bool(suppress))
        info = _info(title, scope, payload, n(payload))
        if suppress is None:
            info = exports.FileInfo(title, scope.described, n(payload), scope.data_as_of, policy.INTERNAL, True)
        return exports.submission_zip(build(payload), info, key, columns)
    button(label, file, f"{key}.zip", "application/zip", f"{key}-zip", scope.page, "submission ZIP", scope.described,
           suppressed=bool(suppress))


def records(frame: pd.DataFrame, key: str, title: str, page: str, data_as_of=None, **dataframe_args) -> None:
    """An administrator's table of records (loads, rejected rows, the audit trail) and its files:
    internal by nature, so never suppressed and always marked INTERNAL."""
    st.dataframe(frame, hide_index=True, key=key, **dataframe_args)
    info = exports.FileInfo(title, "all", f"{len(frame):,} rows", data_as_of or pd.Timestamp.now(tz="UTC"),
                            policy.INTERNAL, True)
    left, right = st.columns(2)
    with left:
        button("CSV", lambda: exports.table_csv(frame, info), f"{key}.csv", "text/csv", f"{key}-csv", page, "table CSV",
               rows=len(frame), suppressed=False)
    with right:
        button("XLSX", lambda: exports.table_xlsx(frame, info, key), f"{key}.xlsx", XLSX, f"{key}-xlsx", page,
               "table XLSX", rows=len(frame), suppressed=False)
