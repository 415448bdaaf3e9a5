-- The selected episodes' threshold outcomes (threshold_outcomes: screening totals such as AUDIT-C and
-- DAST-10, and flagged subscales such as the BAM's) where the intake was in the flagged range and a
-- later score exists, each episode its own cohort (as cohorts/outcomes.sql).
SELECT e.cohort, e.episode_id, t.measure, t.at_least, t.at_most, t.flagged_at_latest
FROM scoped_episodes($start, $end, $program, $clinician, $age_group, $dimension, $admitted_in_range, $group_field, $group_value) AS e
JOIN visible_threshold_outcomes AS t ON t.episode_id = e.episode_id
WHERE t.flagged_at_intake AND t.has_pair
ORDER BY e.cohort, e.episode_id, t.measure;
