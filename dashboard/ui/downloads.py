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

from dashboard.documents import formats
from dashboard.privacy import policy
from dashboard.store import audit, db
from dashboard.ui import figures

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _identity():
    return st.session_state.get("identity")  # this run's, checked by dashboard/ui/session.py


def button(
    label: str,
    build: Callable[[], bytes],
    file_name: str,
    mime: str,
    key: str,
    page: str,
    kind: str,
    selection: str = "",
    rows: int | Callable[[], int | None] | None = None,
    suppressed: bool | None = None,
    participant_id: str | None = None,
    n: Callable[[], str] | None = None,
) -> None:
    """A download built on click (the callable runs outside the page run: who is acting is taken now).
    `rows` (or a callable read once the file is built) and `n` (the population the file states) are
    written in the audit log with the file.
    A file with true counts (suppressed=False) is named so: board-pack-2026-11-20-INTERNAL.pdf, never the
    shareable file's name."""
    identity, read_scope = _identity(), db.current()
    file_name = internal_name(file_name) if suppressed is False else file_name

    def file_content() -> bytes:  # runs outside the page run: who, and what they may see, are kept from it
        with db.scoped(read_scope):
            content = build()
            population = n() if n else None
        audit.record(
            "export",
            identity.user if identity else None,
            identity.role if identity else None,
            page=page,
            participant_id=participant_id,
            kind=kind,
            file=file_name,
            filters=selection,
            rows=rows() if callable(rows) else rows,
            n=population,
            suppressed=suppressed,
        )
        return content

    st.download_button(label, file_content, file_name=file_name, mime=mime, on_click="ignore", key=key)


def internal_name(file_name: str) -> str:
    stem, dot, extension = file_name.rpartition(".")
    return f"{stem}-INTERNAL.{extension}" if dot else f"{file_name}-INTERNAL"


def hidden_cells(on_screen: pd.DataFrame, shared: pd.DataFrame) -> str:
    """How many of the table's cells the suppressed file shows otherwise than the screen (hidden, or
    marked), said before the download."""
    if on_screen.shape != shared.shape:
        return "The shared file is suppressed: some cells of this table will not be shown in it."
    differ = int((on_screen.astype(str).to_numpy() != shared.astype(str).to_numpy()).sum())
    cells = on_screen.size
    if not differ:
        return "The shared file shows every cell of this table as here."
    return (
        f"The shared file hides {differ:,} of this table's {cells:,} cells (small counts and what they would reveal)."
    )


def suppress_choice(key: str) -> bool:
    """Is the file for sharing outside the program (suppressed)? A choice for the care team, on by
    default; always for external roles, who get no choice."""
    identity = _identity()
    if identity is None or policy.external(identity.role) or not policy.threshold():
        return bool(policy.threshold())
    return st.toggle(
        "Suppressed for sharing outside the program",
        value=True,
        key=key,
        help="Off: true counts, for the care team only; the file's title then says INTERNAL.",
    )


def as_text(table: pd.DataFrame) -> pd.DataFrame:
    """Counts with thousands separators beside their marks, for the screen (files keep numbers)."""

    def text(v):
        return f"{v:,}" if isinstance(v, (int, np.integer)) and not isinstance(v, bool) else v

    return table.apply(lambda column: column.map(text)).astype(object)


def _info(title: str, data, payload, n: str) -> formats.FileInfo:
    return formats.FileInfo(
        title, data.described, n, data.data_as_of, payload.disclosure.note(), not payload.disclosure.suppressed
    )


def chart(build: Callable[[object], object], key: str, title: str, data, n: Callable[[object], str]) -> None:
    """A chart of a page's data (dashboard/privacy/page_data.py) and its PNG, SVG and PDF files."""
    figures.show(build(data.shown), key=key)
    with st.popover("Download chart", key=f"{key}-downloads"):
        suppress = suppress_choice(f"{key}-suppress")
        kinds = (("png", "image/png"), ("svg", "image/svg+xml"), ("pdf", "application/pdf"))
        if not formats.renderer_available():
            st.caption(
                "Static images need Chromium on the server (apt-get install chromium): interactive HTML instead."
            )
            kinds = (("html", "text/html"),)
        for fmt, mime in kinds:

            def file(fmt=fmt) -> bytes:
                payload = data.for_file(suppress)
                return formats.figure_file(build(payload), fmt, _info(title, data, payload, n(payload)))

            button(
                fmt.upper(),
                file,
                f"{key}.{fmt}",
                mime,
                f"{key}-{fmt}",
                data.page,
                f"chart {fmt.upper()}",
                data.described,
                suppressed=suppress,
            )


def table(
    build: Callable[[object], pd.DataFrame],
    key: str,
    title: str,
    data,
    n: Callable[[object], str],
    submission: tuple[Callable[[object], pd.DataFrame], dict[str, str]] | None = None,
    submission_label: str = "Submission (ZIP)",
    file_key: str = "submission",
    **dataframe_args,
) -> None:
    """A table of a page's data and its CSV and XLSX files (the same rows, suppressed as chosen); with
    submission (build, documented columns), also that file (its button submission_label, its name
    <key>-<file_key>.zip) under the same choice."""
    shown = build(data.shown)
    st.dataframe(as_text(shown), hide_index=True, key=key, **dataframe_args)
    left, *buttons = st.columns([2, 1, 1, 2] if submission else [2, 1, 1])
    with left:
        suppress = suppress_choice(f"{key}-suppress")
        if suppress and not data.external:  # the care team sees true counts: say what the shared file hides
            st.caption(hidden_cells(shown, build(data.shared)))

    def files(fmt: str) -> bytes:
        payload = data.for_file(suppress)
        t, info = build(payload), _info(title, data, payload, n(payload))
        return formats.table_csv(t, info) if fmt == "csv" else formats.table_xlsx(t, info, key)

    for column, fmt, mime in zip(buttons, ("csv", "xlsx"), ("text/csv", XLSX)):
        with column:
            button(
                fmt.upper(),
                lambda fmt=fmt: files(fmt),
                f"{key}.{fmt}",
                mime,
                f"{key}-{fmt}",
                data.page,
                f"table {fmt.upper()}",
                data.described,
                rows=len(shown),
                suppressed=suppress,
            )
    if submission:
        with buttons[2]:
            _submission(*submission, f"{key}-{file_key}", f"{title}: {file_key}", data, n, submission_label, suppress)


def submission(
    build: Callable[[object], pd.DataFrame],
    columns: dict[str, str],
    key: str,
    title: str,
    data,
    n: Callable[[object], str],
    label: str,
    described: str | None = None,
) -> None:
    """An identified submission file of the care team (formats.submission_zip): never suppressed,
    always marked INTERNAL; pages offer it only where the data holds episodes. `described`: the file's
    own population when it is not the page's (the discharge extract: discharged in the range)."""
    _submission(build, columns, key, title, data, n, label, None, described)


def _submission(build, columns, key, title, data, n, label, suppress: bool | None, described=None) -> None:
    """suppress None: identified rows, true counts and INTERNAL whatever the role's choice."""

    counted: list[int] = []  # the file's rows, once built: for the audit log

    def file() -> bytes:
        payload = data.for_file(bool(suppress))
        info = _info(title, data, payload, n(payload))
        if suppress is None:
            info = formats.FileInfo(
                title, described or data.described, n(payload), data.data_as_of, policy.INTERNAL, True
            )
        frame = build(payload)
        counted.append(len(frame))
        return formats.submission_zip(frame, info, key, columns)

    button(
        label,
        file,
        f"{key}.zip",
        "application/zip",
        f"{key}-zip",
        data.page,
        "submission ZIP",
        described or data.described,
        rows=lambda: counted[-1] if counted else None,
        suppressed=bool(suppress),
        n=lambda: n(data.for_file(bool(suppress))),
    )


def records(
    frame: pd.DataFrame,
    key: str,
    title: str,
    page: str,
    data_as_of=None,
    note: str | None = None,
    selection: str = "all",
    **dataframe_args,
) -> None:
    """A table of records (loads, rejected rows, the audit trail, the export log) and its files: internal
    by nature, so never suppressed and marked INTERNAL, unless `note` says what else they are (the
    export log as an external role reads it)."""
    st.dataframe(frame, hide_index=True, key=key, **dataframe_args)
    info = formats.FileInfo(
        title,
        selection,
        f"{len(frame):,} rows",
        data_as_of or pd.Timestamp.now(tz="UTC"),
        note or policy.INTERNAL,
        not note,
    )
    suppressed = None if note else False  # not counts: neither suppressed nor INTERNAL when a note says what it is
    left, right = st.columns(2)
    with left:
        button(
            "CSV",
            lambda: formats.table_csv(frame, info),
            f"{key}.csv",
            "text/csv",
            f"{key}-csv",
            page,
            "table CSV",
            selection,
            rows=len(frame),
            suppressed=suppressed,
        )
    with right:
        button(
            "XLSX",
            lambda: formats.table_xlsx(frame, info, key),
            f"{key}.xlsx",
            XLSX,
            f"{key}-xlsx",
            page,
            "table XLSX",
            selection,
            rows=len(frame),
            suppressed=suppressed,
        )
