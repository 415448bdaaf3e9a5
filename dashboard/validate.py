"""`python -m dashboard.validate`: the not-on-track alert's hit rate on the demo program and two
real trials, out of sample, for a range of thresholds (dashboard/clinical/validation.py says what
they mean). The exports go through the real loader, run as its own command, so the figures are
those of a program that loaded them. Writes the table (CSV) and the trade-off plot (PNG) to --out.

    .venv/bin/python -m dashboard.validate [--db data/iop.duckdb] [--trials DIR] [--out DIR]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

import numpy as np

from dashboard.clinical.validation import TRIALS, counts, pooled, rbmi_exports, riesby_exports
from dashboard.metrics import median_interval, proportion, wilson_interval

ROOT = Path(__file__).resolve().parents[1]
FLAG_RATE_LIMIT = 0.30      # the target: at least 70 % sensitivity at no more than 30 % flagged
SENSITIVITY_TARGET = 0.70


def _etl(*args: str) -> None:
    run = subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True)
    if run.returncode:
        sys.exit(run.stderr or run.stdout)


def datasets(demo_db: Path | None, work: Path, trials: Path = TRIALS) -> list[tuple[str, Path, tuple[str, ...]]]:
    """(name, database, splits): the trials have no calendar admissions, so folds only."""
    if demo_db is None:
        demo_db = work / "demo.duckdb"
        _etl("demo", "--participants", "300", "--seed", "42", "--out", str(work / "demo"))
        _etl("load", str(work / "demo"), "--db", str(demo_db))
    out = [("demo program (300 participants)", demo_db, ("folds", "temporal"))]
    for name, make in (("Riesby imipramine, HAM-D", riesby_exports), ("rbmi antidepressant trial, HAM-D 17", rbmi_exports)):
        db = work / f"{make.__name__}.duckdb"
        _etl("load", *map(str, make(work / make.__name__, trials)), "--db", str(db))
        out.append((name, db, ("folds",)))
    return out


def figures(table: pd.DataFrame) -> pd.DataFrame:
    """counts() as rates with 95 % Wilson intervals and the median lead time with its interval."""
    rows = []
    for r in table.itertuples():
        row = {"instrument": r.instrument, "threshold": r.threshold, "episodes": r.episodes,
               "not_improved": r.not_improved, "deteriorated": r.deteriorated, "alerted": r.alerted}
        for name, k, n in (("sensitivity", r.alerted_not_improved, r.not_improved),
                           ("sensitivity_deterioration", r.alerted_deteriorated, r.deteriorated),
                           ("specificity", r.improved_not_alerted, r.improved),
                           ("flag_rate", r.alerted, r.episodes),
                           ("ppv", r.alerted_not_improved, r.alerted)):
            low, high = wilson_interval(int(k), int(n))
            row.update({name: proportion(int(k), int(n)), f"{name}_k": int(k), f"{name}_n": int(n),
                        f"{name}_low": low, f"{name}_high": high})
        leads = list(r.lead_weeks) if isinstance(r.lead_weeks, (list, tuple, np.ndarray)) else []
        row["lead_weeks"], row["lead_low"], row["lead_high"] = median_interval(leads)
        row["lead_n"] = len(leads)
        rows.append(row)
    return pd.DataFrame(rows)


def readable(f: pd.DataFrame) -> pd.DataFrame:
    """The figures as a table to print: each rate as 'k/n = x % (low–high)'."""
    def rate(r, name):
        if not r[f"{name}_n"]:
            return "—"
        return (f"{r[f'{name}_k']}/{r[f'{name}_n']} = {r[name]:.0%} "
                f"({r[f'{name}_low']:.0%}–{r[f'{name}_high']:.0%})")

    def lead(r):
        if not r["lead_n"]:
            return "—"
        interval = "" if pd.isna(r["lead_low"]) else f" ({r['lead_low']:g}–{r['lead_high']:g})"
        return f"{r['lead_weeks']:g}{interval}"
    return pd.DataFrame({
        "instrument": f["instrument"], "percentile": (f["threshold"] * 100).round().astype(int),
        "sensitivity (no reliable improvement)": [rate(r, "sensitivity") for _, r in f.iterrows()],
        "sensitivity (deterioration)": [rate(r, "sensitivity_deterioration") for _, r in f.iterrows()],
        "specificity": [rate(r, "specificity") for _, r in f.iterrows()],
        "flag rate": [rate(r, "flag_rate") for _, r in f.iterrows()],
        "PPV": [rate(r, "ppv") for _, r in f.iterrows()],
        "median lead, weeks": [lead(r) for _, r in f.iterrows()]})


def choice(rows: pd.DataFrame) -> str:
    """The highest sensitivity at a flag rate within the limit, in words."""
    within = rows[rows["flag_rate"] <= FLAG_RATE_LIMIT]
    if within.empty:
        return f"no threshold keeps the flag rate at or below {FLAG_RATE_LIMIT:.0%}"
    best = within.sort_values(["sensitivity", "threshold"], ascending=[False, True]).iloc[0]
    met = "meets" if best["sensitivity"] >= SENSITIVITY_TARGET else "does not meet"
    return (f"best within a {FLAG_RATE_LIMIT:.0%} flag rate: the {best['threshold']:.0%} percentile, sensitivity "
            f"{best['sensitivity']:.0%} at a flag rate of {best['flag_rate']:.0%} ({met} the {SENSITIVITY_TARGET:.0%} target)")


def plot(all_rows: pd.DataFrame, path: Path) -> None:
    import plotly.graph_objects as go
    from dashboard.exports import render, renderer_available
    fig = go.Figure()
    for (dataset, split), part in all_rows[all_rows["instrument"] == "all instruments"].groupby(["dataset", "split"], sort=False):
        fig.add_scatter(x=part["flag_rate"], y=part["sensitivity"], mode="lines+markers+text", name=f"{dataset} ({split})",
                        text=[f"{t:.0%}" for t in part["threshold"]], textposition="top left")
    fig.add_hline(y=SENSITIVITY_TARGET, line_dash="dot", annotation_text=f"target {SENSITIVITY_TARGET:.0%}")
    fig.add_vline(x=FLAG_RATE_LIMIT, line_dash="dot", annotation_text=f"{FLAG_RATE_LIMIT:.0%} flagged")
    fig.update_layout(title="Not-on-track alert: sensitivity for no reliable improvement against flag rate "
                            "(out of sample; labels: percentile threshold)",
                      xaxis=dict(title="share of episodes alerted", tickformat=".0%", range=[0, 1]),
                      yaxis=dict(title="sensitivity", tickformat=".0%", range=[0, 1.05]),
                      template="plotly_white", legend=dict(orientation="h", y=-0.2), height=560)
    if renderer_available():
        path.write_bytes(render(fig, "png", width=1000))
    else:
        path.with_suffix(".html").write_text(fig.to_html(include_plotlyjs="cdn"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.validate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="a loaded database to evaluate instead of a freshly generated demo")
    parser.add_argument("--trials", type=Path, default=TRIALS, help="a folder with the trial files")
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--out", type=Path, default=Path("validation"), help="where the CSV and the plot go")
    args = parser.parse_args(argv)
    pd.set_option("display.width", 250)
    frames = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, db, splits in datasets(Path(args.db) if args.db else None, Path(tmp), args.trials):
            for split in splits:
                table = counts(db, split, args.folds)
                rows = figures(pd.concat([table, pooled(table)], ignore_index=True))
                how = f"{args.folds} folds by episode" if split == "folds" else "fitted on earlier admissions, tested on later ones"
                print(f"\n{name}: not-on-track alert, out of sample ({how})")
                print(readable(rows).to_string(index=False) if len(rows) else "  no episodes judged")
                print("  " + choice(rows[rows["instrument"] == "all instruments"]))
                frames.append(rows.assign(dataset=name, split=split))
    all_rows = pd.concat(frames, ignore_index=True)
    args.out.mkdir(parents=True, exist_ok=True)
    all_rows.to_csv(args.out / "alert_validation.csv", index=False)
    plot(all_rows, args.out / "alert_tradeoff.png")
    print(f"\nsensitivity = alerted before the last score among episodes that end without reliable improvement "
          f"(or with reliable deterioration); flag rate = share of judged episodes alerted; lead = weeks from the "
          f"first alert to the last score. Anchor: Lambert's curves caught 71-72 % of eventual failures.\n"
          f"Written: {args.out / 'alert_validation.csv'}, {args.out / 'alert_tradeoff.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
