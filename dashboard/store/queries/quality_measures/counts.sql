-- The selection's episodes counted by measure, rate, cohort along $dimension and the step each
-- stopped at (and, for exclusions, why) and where its diagnoses came from: every count of the measures'
-- steps adds up from these.
SELECT m.measure_id, m.rate_id, m.rate_position, e.cohort, m.stopped_at,
       CASE WHEN m.stopped_at = 'excluded' THEN m.reason END AS reason, m.dx_source, count(*) AS episodes
FROM visible_measure_episodes AS m
JOIN scoped_episodes($start, $end, $program, $clinician, $age_group, $dimension, TRUE, $group_field, $group_value) AS e
  USING (episode_id)
GROUP BY ALL
ORDER BY ALL;
