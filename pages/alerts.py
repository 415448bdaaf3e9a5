"""How well our alerts work: the not-on-track alert's hit rate on the program's own history, and
what followed the alerts (structured reviews, plan changes, later improvement)."""

import streamlit as st

from dashboard.charts.alerts import tradeoff
from dashboard.store import db
from dashboard.ui import figures, session
from dashboard.ui.notes import data_as_of
from dashboard.ui.pickers import measure_picker
from dashboard.views.alerts import ALL, alert_report, lead, not_checked, rate, readable
from dashboard.views.words import percentile, share

identity = session.require("alerts")
st.title("How well our alerts work")

try:
    report = alert_report()
except db.NoData as e:
    st.info(str(e))
    st.stop()
data_as_of(report.data_as_of)

st.markdown(
    f"A participant is **not on track** when a score from week {report.first_week} on is worse than "
    f"{report.setting:.0%} of the scores that week of completed episodes that started at a similar score "
    f"(**at risk**: worse than {report.at_risk:.0%}). To see how well that catches the people who end without "
    f"reliable improvement, each load re-checks the program's own ended episodes (the latest "
    f"{report.max_episodes:,} per measure) out of sample: they are split into {report.folds} groups, and each group's "
    "episodes are judged against expected ranges built from the other groups only, week by week, up to their "
    "last score. An episode counts as caught when it was alerted before its last score."
)

if not report.instruments:
    st.info("No ended episode with an intake score and a later one yet: nothing to check the alert against.")
    st.stop()

instrument = measure_picker(report.instruments, ALL)
now = report.current(instrument)


def shown(r, name: str) -> str:
    """A metric's value: the rate, — without a denominator, or 'not checked'."""
    return "not checked" if not r["checked"] else f"{r[name]:.0%}" if r[f"{name}_n"] else "—"


if now is not None:
    st.subheader(f"The setting in use: the {percentile(report.setting)} percentile")
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

checked = report.of(instrument)[report.of(instrument)["checked"]]  # a threshold not checked is no point on it
if len(checked):
    figures.show(
        tradeoff({("All measures" if instrument == ALL else instrument): checked}, report.setting), key="tradeoff"
    )
st.caption(
    "Each point is a threshold: a lower percentile alerts more people and catches more of those who will not "
    "improve. The ringed point is the setting in use (settings expected_response.off_track_percentile)."
)
with st.expander("Every threshold, with counts and 95 % intervals"):
    st.dataframe(readable(report.of(instrument)), hide_index=True, key="thresholds")

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
