"""How well our alerts work: the not-on-track alert's hit rate on the program's own history, and
what followed the alerts (structured reviews, plan changes, later improvement)."""

import streamlit as st

from clinical.validation import ALERT, BASELINES, SIGNALS
from dashboard.charts.alerts import tradeoff
from dashboard.store import db
from dashboard.ui import figures, session
from dashboard.ui.notes import data_as_of
from dashboard.ui.pickers import measure_picker
from dashboard.views.alerts import (
    ALL,
    alert_report,
    compact,
    label,
    lead,
    not_checked,
    one_line_rule,
    range_source,
    rate,
    readable,
    rules_in_words,
    versus_baselines,
)
from dashboard.views.words import percentile, share

identity = session.require("alerts")
st.title("How well our alerts work")

try:
    report = alert_report()
except db.NoData as e:
    st.info(str(e))
    st.stop()
data_as_of(report.data_as_of)

if report.rule == "percent_change":
    st.markdown(
        f"The program's alert is a one-line rule: a participant is **not on track** when a score from week "
        f"{report.first_week} on fits the rule “{one_line_rule(report.min_improvement)}”. The expected "
        f"range (worse than {report.setting:.0%} of the scores that week of completed episodes that started at a "
        "similar score) is still checked below, beside it."
    )
else:
    st.markdown(
        f"A participant is **not on track** when a score from week {report.first_week} on is worse than "
        f"{report.setting:.0%} of the scores that week of completed episodes that started at a similar score "
        f"(**at risk**: worse than {report.at_risk:.0%})."
    )
st.markdown(
    "To see how well the alerts catch the people who end without reliable improvement, each load re-checks the "
    f"program's own ended episodes (the latest {report.max_episodes:,} per measure) out of sample: they are split "
    f"into {report.folds} groups, and each group's episodes are judged against expected ranges built from the other "
    "groups only (or from the published recovery curves, for a measure with too few completed episodes), week by "
    "week, up to their last score. An episode counts as caught when it was alerted before its last score."
)

with st.container(border=True):
    st.markdown("**Where the expected ranges come from**")
    for _, row in report.sources.iterrows():
        st.text(range_source(row))  # plain text: measure codes come from the program's catalogue

if not report.instruments:
    st.info("No ended episode with an intake score and a later one yet: nothing to check the alert against.")
    st.stop()

instrument = measure_picker(report.instruments, ALL)
if instrument == ALL and report.pooled_over():
    pooled = report.pooled_over().split(", ")
    st.caption(
        f"All measures together: {pooled[0]}, the only measure whose alert could be checked."
        if len(pooled) == 1
        else f"All measures together: {report.pooled_over()}, the measures whose alert could be checked; an "
        "episode scored on two of them counts once for each (episode-measures)."
    )
now = report.current(instrument)

if now is not None:
    st.subheader(
        f"The setting in use: a score {one_line_rule(report.min_improvement)}"
        if report.rule == "percent_change"
        else f"The setting in use: the {percentile(report.setting)} percentile"
    )
    if not now["checked"]:
        # no metric at all: "0 %" and "100 %" would read as a verdict on an alert that was never tried
        st.info(f"The alert is {not_checked(now)}: nothing yet says how well it works.")
    else:
        # three and two to a row: five side by side cut their labels at 1024 px
        caught, alerted, ahead = st.columns(3)
        caught.metric(
            "Non-improvers caught",
            f"{now['sensitivity']:.0%}" if now["sensitivity_n"] else "—",
            help=rate(now, "sensitivity")
            + " ended without reliable improvement and were alerted first (95 % interval).",
        )
        alerted.metric(
            "Episodes alerted",
            f"{now['flag_rate']:.0%}" if now["flag_rate_n"] else "—",
            help=rate(now, "flag_rate")
            + " of the ended episodes judged"
            + (" (episode-measures: an episode scored on two measures counts twice)." if instrument == ALL else "."),
        )
        ahead.metric(
            "Weeks of warning",
            lead(now),
            help=f"Median weeks from the first alert to the last score, over {now['lead_n']} caught episodes "
            "(95 % interval in brackets).",
        )
        specific, ppv, _ = st.columns(3)
        specific.metric(
            "Improvers not alerted",
            f"{now['specificity']:.0%}" if now["specificity_n"] else "—",
            help=rate(now, "specificity") + " (specificity).",
        )
        ppv.metric(
            "Alerts that were right",
            f"{now['ppv']:.0%}" if now["ppv_n"] else "—",
            help=rate(now, "ppv") + " of alerted episodes ended without reliable improvement (PPV).",
        )
        st.caption(f"Deteriorations caught: {rate(now, 'sensitivity_deterioration')}.")

at_setting = report.at_setting(instrument)
ranged = at_setting[at_setting["method"] == ALERT]  # the expected range, whichever alert is in use
if len(ranged) and ranged.iloc[0]["checked"]:
    st.subheader("Against the simplest rules, flagging as many")
    st.markdown(
        "Could a clinician do as well by eye? Each one-line rule below flags as many of the same episodes as the "
        f"expected range ({ranged.iloc[0]['alerted']:,} of {ranged.iloc[0]['episodes']:,}), its cut-off chosen only "
        "for that, judged on the same "
        "weeks before the last score."
    )
    verdict = versus_baselines(at_setting, report.early_week)
    if verdict is not None:
        st.info(verdict, icon=None)
    compared = at_setting[at_setting["method"].isin((ALERT, *BASELINES))]
    # a static table: it wraps to the page's width (a data grid cut its last columns at 1024 px)
    st.table(
        compact(compared, report.early_week, ("sensitivity", "sensitivity_deterioration", "ppv", "lead")).set_index(
            "Rule"
        )
    )
    st.caption("The rules: " + rules_in_words(compared, report.early_week) + ".")

    # a threshold not checked is no point on the chart; the alert first (its points labelled and ringed);
    # each rule's cut-off changes along its line (it flags as many as the alert at each percentile)
    series = {label(m, early_week=report.early_week): report.of(instrument, m) for m in (ALERT, *BASELINES)}
    series = {name: rows[rows["checked"]] for name, rows in series.items()}
    if len(next(iter(series.values()))):
        figures.show(tradeoff(series, report.setting), key="tradeoff")
        st.caption(
            "Each point of the alert is a threshold: a lower percentile alerts more people and catches more of those "
            "who will not improve; the ringed point is the one in use. Each one-line rule's point sits above or below "
            "the alert's, flagging as many."
        )
    with st.expander("Every threshold, with counts and 95 % intervals"):
        st.dataframe(readable(report.of(instrument)), hide_index=True, key="thresholds")

st.subheader("Every signal that asks for a plan change")
st.markdown(
    "What the clinician sees. “Any plan-review signal” counts an episode once, at the first week any signal fired "
    "before its last score; the rows below it take each signal alone. None of them needs an expected range."
)
signals = at_setting[at_setting["method"].isin((ALERT, *SIGNALS))]
st.table(
    compact(signals, report.early_week, ("flag_rate", "sensitivity", "sensitivity_deterioration", "first")).set_index(
        "Rule"
    )
)
st.caption("The signals: " + rules_in_words(signals, report.early_week) + ".")

st.subheader("What followed the alerts")
st.caption(
    "The live alerts, open episodes included, on every measure picked (not the re-check above, which pools only "
    "the measures it could check): what the care team recorded after them."
)
f = report.follow_up(instrument)
if not f["alerted"]:
    st.caption("No live not-on-track alert on this measure yet.")
else:
    st.markdown(
        f"Of **{f['alerted']:,}** episode-measures ever not on track ({f['open']:,} still open): "
        + share(f["reviewed"], f["alerted"], "had a structured review recorded")
        + "; "
        + share(f["plan_changed"], f["alerted"], "a recorded plan change")
        + "."
    )
    left, right = st.columns(2)
    for column, key, title in (
        (left, "with_change", "Improved later, with a plan change"),
        (right, "without_change", "Improved later, without one"),
    ):
        k, n, part, low, high = f[key]
        column.metric(
            title,
            "—" if not n else f"{part:.0%}",
            help=f"{k} of {n} scored again after their first alert reliably improved"
            + ("" if not n else f" ({low:.0%}–{high:.0%}, 95 % interval)"),
        )
        column.caption(f"Of {n} scored again after the first alert, {k} reliably improved")
    st.caption(
        "Later reliable improvement is judged at the latest score after the first alert. The two groups were "
        "not assigned at random: this shows what followed, not what the plan change caused."
    )
