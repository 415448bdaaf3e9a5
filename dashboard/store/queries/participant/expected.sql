-- The expected recovery for the episode's intake score, per instrument and week (expected_recovery):
-- the chart draws the same limits the on-track status and the not-on-track flag are judged against.
SELECT x.instrument, x.treatment_week, x.p25, x.p50, x.p75, x.at_risk_limit, x.off_track_limit, x.n_episodes,
       x.available, x.note
FROM visible_outcomes AS po
JOIN expected_recovery AS x ON x.instrument = po.instrument AND x.intake_score = po.baseline_score
WHERE po.episode_id = $episode_id
ORDER BY x.instrument, x.treatment_week;
