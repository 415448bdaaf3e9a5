"""`python -m dashboard extract --db data/iop.duckdb --out quality.duckdb`: the quality team's own
copy for SQL, instead of the identified database: for every completed quarter, exactly what the
quality role's pages show (privacy/release.py), suppressed together; and for every ended measurement
period, the measures as specified (the submission's counts, privacy/shown_specified.py). No participant id, no date of
anyone's care, no per-episode row; a hidden count is NULL with its mark beside it."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.documents.quality_tables import SUMMARY_COLUMNS, submission_summary
from dashboard.documents.specified_tables import SPECIFIED_COLUMNS, submission
from dashboard.privacy import policy
from dashboard.privacy.policy import Disclosure
from dashboard.privacy.release import quarter_release, quarters
from dashboard.privacy.shown_specified import shown_specified
from dashboard.store import db
from dashboard.views.filters import instrument_choices, options, primary_instrument
from dashboard.views.measures_specified import periods, specified
from dashboard.views.quality_measures import stored_specs


def _counts(frame: pd.DataFrame, counts: list[str]) -> pd.DataFrame:
    """The count columns as numbers (NULL when hidden), each with its mark column; others as they are."""
    out = frame.copy()
    for column in counts:
        hidden = frame[column].map(lambda v: isinstance(v, str))
        out[column] = pd.to_numeric(frame[column].where(~hidden), errors="coerce").astype("Int64")
        out.insert(out.columns.get_loc(column) + 1, f"{column} mark", frame[column].where(hidden, "").astype(str))
    return out


def tables(threshold: int) -> dict[str, pd.DataFrame]:
    opts = options()
    instruments, primary = tuple(instrument_choices(opts)), primary_instrument(opts)
    out: dict[str, list[pd.DataFrame]] = {}
    for q in quarters(opts.first_admission, opts.data_as_of):
        r = quarter_release(q, instruments, primary, threshold)
        o = r.overview
        meta = {"quarter": q.label}
        out.setdefault("release_audit", []).append(
            pd.DataFrame([{**meta, "protection_width": r.verdict.level, "audit": r.verdict.public()}])
        )
        out.setdefault("overview_headline", []).append(
            pd.DataFrame(
                [{**meta, "measure": k, "count": None if m else v, "mark": m} for k, (v, m) in o.headline.items()]
            )
        )
        # each with its count (NULL when hidden) and the count's mark, as the release shows them
        for name, frame in (
            ("overview_flow", o.flow),
            ("overview_discharges", o.discharges),
            ("overview_aftercare", o.aftercare),
            ("overview_completeness", o.completeness),
        ):
            out.setdefault(name, []).append(
                frame.drop(columns=[c for c in ("teds_code",) if c in frame]).assign(**meta)
            )
        out.setdefault("overview_attendance", []).append(o.attendance.assign(**meta))
        for (dimension, instrument), c in r.cohorts.items():
            meta = {"quarter": q.label, "grouping": dimension, "instrument": instrument}
            out.setdefault("cohort_completeness", []).append(
                _counts(c.funnel, list(c.funnel.columns[1:])).assign(**meta)
            )
            out.setdefault("cohort_outcomes", []).append(
                _counts(
                    c.outcomes, [col for col in c.outcomes.columns[1:] if "%" not in col and "Cohen" not in col]
                ).assign(**meta)
            )
            out.setdefault("cohort_hedis", []).append(c.hedis.assign(**meta))
            out.setdefault("cohort_follow_up", []).append(c.follow_up.assign(**meta))
            out.setdefault("cohort_thresholds", []).append(
                c.thresholds.melt(id_vars="Cohort", var_name="measure", value_name="share").assign(**meta)
            )
            out.setdefault("cohort_rates", []).append(c.rates.assign(**meta))
            out.setdefault("cohort_weekly_means", []).append(c.weekly.drop(columns=["n"]).assign(**meta))
            out.setdefault("cohort_retention", []).append(c.retention.drop(columns=["steps"]).assign(**meta))
        for m in r.measures.values():  # the quality measures' summary submission, by each grouping
            counts = list(SUMMARY_COLUMNS)[
                list(SUMMARY_COLUMNS).index("admitted") : list(SUMMARY_COLUMNS).index("rate_percent")
            ]
            out.setdefault("measures_summary", []).append(
                _counts(submission_summary(m), counts).assign(quarter=q.label)
            )
    # the submission: the measures as specified, for every measurement period that has ended, each
    # suppressed and audited as its own release
    counts = list(SPECIFIED_COLUMNS)[
        list(SPECIFIED_COLUMNS).index("candidates") : list(SPECIFIED_COLUMNS).index("rate_percent")
    ]
    for period in (p for p in periods() if p.ended):
        shown = shown_specified(specified(period), stored_specs(), Disclosure(threshold))
        out.setdefault("measures_specified", []).append(
            _counts(submission(shown), counts).assign(audit=shown.verdict.public("this measurement period's count"))
        )
    return {name: pd.concat(frames, ignore_index=True) for name, frames in out.items()}


def main(argv=None) -> int:
    os.umask(0o077)
    parser = argparse.ArgumentParser(prog="python -m dashboard extract", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=os.environ.get("IOP_DB", "data/iop.duckdb"))
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    os.environ["IOP_DB"] = args.db
    os.environ["IOP_WARM"] = "0"  # a one-off run: no background warm-up left running at exit
    with db.scoped(db.EVERYTHING):  # the whole program: the quality role's scope
        threshold = policy.threshold()  # as the build in place stored it
    if not threshold:
        print("Small-cell suppression is off in the settings: no extract for sharing.", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.unlink(missing_ok=True)
    with db.scoped(db.EVERYTHING), duckdb.connect(str(out)) as con:
        for name, frame in tables(threshold).items():
            con.register("frame", frame)
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM frame')
            con.unregister("frame")
        names = [n for (n,) in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
    print(
        f"{out}: {len(names)} tables ({', '.join(names)}), counts from 1 to {threshold} and those that would "
        "reveal them NULL with their mark"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
