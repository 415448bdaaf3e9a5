-- The expected recovery for the episode's intake score, per instrument and week (expected_recovery):
-- the chart draws the same limits the on-track status and the not-on-track flag are judged against.
-- With the program's one-line alert (expected_response.alert_rule = 'percent_change') the not-on-track
-- limit is that rule's: the intake improved by percent_change_min_improvement (definitions.sql).
WITH rule AS (
    SELECT setting_text('expected_response_alert_rule') = 'percent_change' AS one_line,
           setting_number('expected_response_percent_change_min_improvement') AS min_improvement
)
SELECT x.instrument, x.treatment_week, x.p25, x.p50, x.p75, x.n_episodes, x.range_source, x.note,
       CASE WHEN NOT r.one_line THEN x.at_risk_limit END AS at_risk_limit,
       CASE WHEN r.one_line THEN po.baseline_score - r.min_improvement * greatest(abs(po.baseline_score), 1) * po.worse_sign
            ELSE x.off_track_limit END AS off_track_limit,
       x.available OR r.one_line AS available
FROM visible_outcomes AS po
JOIN expected_recovery AS x ON x.instrument = po.instrument AND x.intake_score = po.baseline_score
CROSS JOIN rule AS r
WHERE po.episode_id = $episode_id
ORDER BY x.instrument, x.treatment_week;
