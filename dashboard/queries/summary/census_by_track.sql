-- Open episodes by track, as of the latest data date.
SELECT coalesce(program, 'Not recorded') AS track,
       count(*) AS active,
       count(*) FILTER (inferred) AS inferred_from_attendance,
       CAST(round(median(d.data_as_of - admit_date) / 7.0, 1) AS DOUBLE) AS median_weeks_in_program
FROM episodes, dataset_info AS d
WHERE admit_date <= d.data_as_of AND (discharge_date IS NULL OR discharge_date > d.data_as_of)
GROUP BY ALL
ORDER BY active DESC, track;
