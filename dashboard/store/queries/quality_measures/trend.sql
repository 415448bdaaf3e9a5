-- Each measure's rate by calendar quarter of admission, for the selection's track, clinician, age
-- group and population over every quarter (the date range is the trend's axis, not a filter).
SELECT m.measure_id, m.rate_id, make_date(year(e.admit_date), (quarter(e.admit_date) - 1) * 3 + 1, 1) AS quarter_start,
       count(*) FILTER (m.stopped_at IN ('numerator', 'met')) AS denominator,
       count(*) FILTER (m.stopped_at = 'met') AS numerator
FROM visible_measure_episodes AS m
JOIN scoped_episodes(DATE '1900-01-01', DATE '9999-12-31', $program, $clinician, $age_group, 'quarter', TRUE,
                     $group_field, $group_value) AS e USING (episode_id)
GROUP BY ALL
ORDER BY 1, 2, 3;
