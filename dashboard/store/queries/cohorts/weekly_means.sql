-- Mean score by cohort and treatment week, and for the whole selection (whole = true): from each
-- episode's last valid score in each week 1..max_week (the mart episode_week_scores, built with
-- each load). n = episodes scored that week; sd with n - 1 (the interval is made in Python).
SELECT CASE WHEN grouping(e.cohort) = 1 THEN NULL ELSE e.cohort END AS cohort, grouping(e.cohort) = 1 AS whole,
       w.week, count(*) AS n, avg(w.score) AS mean, stddev_samp(w.score) AS sd
FROM visible_week_scores AS w
JOIN scoped_episodes($start, $end, $program, $clinician, $age_group, $dimension, $admitted_in_range, $group_field, $group_value) AS e USING (episode_id)
WHERE w.instrument = $instrument
GROUP BY GROUPING SETS ((e.cohort, w.week), (w.week))
ORDER BY whole, cohort, week;
