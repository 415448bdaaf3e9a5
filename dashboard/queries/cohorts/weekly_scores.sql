-- Each episode's last valid score in each treatment week 1..max_week (the mart
-- episode_week_scores, built with each load from the stored treatment_week).
SELECT e.cohort, w.episode_id, w.week, w.score
FROM visible_week_scores AS w
JOIN scoped_episodes($start, $end, $program, $clinician, $age_group, $dimension, $admitted_in_range) AS e USING (episode_id)
WHERE w.instrument = $instrument
ORDER BY 1, 2, 3;
