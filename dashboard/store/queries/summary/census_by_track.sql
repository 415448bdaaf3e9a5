-- Open episodes by track, as of the latest data date; weeks by the one treatment-week definition.
SELECT coalesce(program, 'Not recorded') AS track,
       count(*) AS active,
       count(*) FILTER (inferred) AS inferred_from_attendance,
       CAST(median(treatment_week(d.data_as_of, admit_date)) AS DOUBLE) AS median_treatment_week
FROM visible_episodes, dataset_info AS d
WHERE admit_date <= d.data_as_of AND (discharge_date IS NULL OR discharge_date > d.data_as_of)
GROUP BY ALL
ORDER BY active DESC, track;
