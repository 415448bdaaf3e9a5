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
    label,
    lead,
    not_checked,
    range_source,
    rate,
    readable,
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
        f"{report.first_week} on has improved less than {report.min_improvement:.0%} from intake. The expected "
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
    "To see how well the alerts catch the people who end without "
    f"reliable improvement, each load re-checks the program's own ended episodes (the latest "
    f"{report.max_episodes:,} per measure) out of sample: they are split into {report.folds} groups, and each group's "
    "episodes are judged against expected ranges built from the other groups only, week by week, up to their "
    "last score. An episode counts as caught when it was alerted before its last score."
)

with st.container(border=True):
    st.markdown("**Where the expected ranges come from**")
    for _, row in report.sources.iterrows():
        st.text(range_source(row))  # plain text: measure codes come from the program's catalogue

if not report.instruments:
    st.info("No ended episode with an intake score and a later one yet: nothing to check the alert against.")
    st.stop()

instrument = measure_picker(report.instruments, ALL)
now = report.current(instrument)


def shown(r, name: str) -> str:
    """A metric's value: the rate, — without a denominator, or 'not checked'."""
    return "not checked" if not r["checked"] else f"{r[name]:.0%}" if r[f"{name}_n"] else "—"


if now is not None:
    st.subheader(
        f"The setting in use: improved less than {report.min_improvement:.0%} from intake"
        if report.rule == "percent_change"
        else f"The setting in use: the {percentile(report.setting)} percentile"
    )
    if not now["checked"]:
        st.info(f"The alert is {not_checked(now)}: these figures say nothing yet about how well it works.")
    # three and two to a row: five side by side cut their labels at 1024 px
    caught, alerted, ahead = st.columns(3)
    caught.metric(
        "Non-improvers caught",
        shown(now, "sensitivity"),
        help=rate(now, "sensitivity") + " ended without reliable improvement and were alerted first (95 % interval).",
    )
    alerted.metric(
        "Episodes alerted",
        shown(now, "flag_rate"),
        help=rate(now, "flag_rate") + " of the ended episodes judged.",
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
        shown(now, "specificity"),
        help=rate(now, "specificity") + " (specificity).",
    )
    ppv.metric(
        "Alerts that were right",
        shown(now, "ppv"),
        help=rate(now, "ppv") + " of alerted episodes ended without reliable improvement (PPV).",
    )
    st.caption(f"Deteriorations caught: {rate(now, 'sensitivity_deterioration')}.")

st.subheader("Against the simplest rules, at the same flag rate")
st.markdown(
    "Could a clinician do as well by eye? Each one-line rule below flags as many of the same episodes as the alert "
    "(its X set only for that), judged on the same weeks before the last score."
)
at_setting = report.at_setting(instrument)
verdict = versus_baselines(at_setting)
if verdict is not None:
    (st.warning if verdict.startswith("A one-line rule") else st.info)(verdict, icon=None)
compared = at_setting[at_setting["method"].isin((ALERT, *BASELINES))]
st.dataframe(readable(compared, by="method", early_week=report.early_week), hide_index=True, key="baselines")

# a threshold not checked is no point on the chart; each baseline flags as many as the alert, so its
# points sit straight above or below the alert's
series = {
    label(m, early_week=report.early_week): report.of(instrument, m)[report.of(instrument, m)["checked"]]
    for m in (ALERT, *BASELINES)
}
if len(series[label(ALERT)]):
    figures.show(tradeoff(series, report.setting), key="tradeoff")
st.caption(
    "Each point is a threshold: a lower percentile alerts more people and catches more of those who will not "
    "improve. The ringed point is the setting in use (settings expected_response.off_track_percentile)."
)
with st.expander("Every threshold, with counts and 95 % intervals"):
    st.dataframe(readable(report.of(instrument)), hide_index=True, key="thresholds")

st.subheader("Every signal that asks for a plan change")
st.markdown(
    "What the clinician sees: an episode counts once, at the first week any of these fired before its last "
    "score, and each signal alone."
)
signals = at_setting[at_setting["method"].isin((ALERT, *SIGNALS))]
st.dataframe(readable(signals, by="method", early_week=report.early_week), hide_index=True, key="signals")

st.subheader("What followed the alerts")
f = report.follow_up
if not f["alerted"]:
    st.caption("No episode has been not on track yet.")
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
        (left, "with_change", "With a recorded plan change"),
        (right, "without_change", "Without one"),
    ):
        k, n, share, low, high = f[key]
        column.metric(
            f"{title}: reliably improved later",
            "—" if not n else f"{share:.0%}",
            help=f"{k} of {n} scored again after their first alert"
            + ("" if not n else f" ({low:.0%}–{high:.0%}, 95 % interval)"),
        )
        column.caption(f"{k} of {n} scored again after the first alert")
    st.caption(
        "Later reliable improvement is judged at the latest score after the first alert. The two groups were "
        "not assigned at random: this shows what followed, not what the plan change caused."
    )
