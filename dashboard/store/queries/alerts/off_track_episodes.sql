-- Every episode and instrument that was ever not on track (recovery_status), with its first
-- not-on-track week and date, and what followed: whether a score came after that first alert, and
-- the reliable improvement at the latest score (participant_outcomes; NULL without a later score).
WITH first_alert AS (
    SELECT episode_id, instrument, min(treatment_week) AS first_week, min(scored_on) AS first_alert_on
    FROM visible_recovery_status WHERE status = 'not on track'
    GROUP BY ALL
)
SELECT a.episode_id, a.instrument, a.first_week, a.first_alert_on, e.discharge_date IS NULL AS open,
       o.latest_date > a.first_alert_on AS scored_after,
       CASE WHEN o.latest_date > a.first_alert_on THEN o.reliable_improvement END AS improved_after
FROM first_alert AS a
JOIN visible_episodes AS e USING (episode_id)
JOIN visible_outcomes AS o USING (episode_id, instrument)
ORDER BY a.episode_id, a.instrument;
