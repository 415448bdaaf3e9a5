-- Each episode's last valid score in each treatment week 0..12 (nearest whole week since admission).
SELECT e.cohort, a.episode_id, CAST(round((a.assessed_on - e.admit_date) / 7) AS INTEGER) AS week,
       arg_max(a.total_score, a.assessed_on) AS score
FROM assessments AS a JOIN scoped_episodes AS e USING (episode_id)
WHERE a.instrument = $instrument AND a.total_valid AND a.total_score IS NOT NULL
  AND a.assessed_on BETWEEN e.admit_date - 3 AND e.admit_date + 7 * 12 + 3
GROUP BY ALL ORDER BY 1, 2, 3;
