-- Each episode's last valid score in each treatment week 1..max_week (the stored treatment_week;
-- settings expected_response.max_week).
SELECT e.cohort, a.episode_id, a.treatment_week AS week, arg_max(a.total_score, a.assessed_on) AS score
FROM visible_assessments AS a
JOIN scoped_episodes($start, $end, $program, $clinician, $age_group, $dimension, $admitted_in_range) AS e USING (episode_id)
WHERE a.instrument = $instrument AND a.total_valid AND a.total_score IS NOT NULL
  AND a.treatment_week BETWEEN 1 AND setting_number('expected_response_max_week')
GROUP BY ALL ORDER BY 1, 2, 3;
