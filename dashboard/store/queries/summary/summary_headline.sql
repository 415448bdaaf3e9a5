-- One row: the program summary's headline figures, as of the latest data date.
WITH info AS (SELECT data_as_of, last_load_at FROM dataset_info),
week AS (
    -- the last full Monday-to-Sunday week on or before the data date
    SELECT CAST(date_trunc('week', data_as_of + 1) AS DATE) - 7 AS week_start FROM info
)
SELECT
    info.data_as_of,
    info.last_load_at,
    week.week_start AS last_week_start,
    week.week_start + 6 AS last_week_end,
    (SELECT count(*) FROM visible_episodes WHERE admit_date <= info.data_as_of
        AND (discharge_date IS NULL OR discharge_date > info.data_as_of)) AS active_census,
    (SELECT count(*) FROM visible_episodes WHERE is_open AND inferred) AS active_inferred,
    (SELECT count(*) FROM visible_sessions WHERE attended
        AND session_date BETWEEN week.week_start AND week.week_start + 6) AS sessions_attended_last_week,
    (SELECT count(DISTINCT participant_id) FROM visible_sessions WHERE attended
        AND session_date BETWEEN week.week_start AND week.week_start + 6) AS participants_attended_last_week,
    (SELECT count(*) FROM visible_assessments) AS assessments_loaded,
    (SELECT count(DISTINCT participant_id) FROM visible_assessments) AS participants_assessed,
    (SELECT count(*) FROM loads) AS files_loaded,
    (SELECT coalesce(sum(rows_rejected), 0) FROM loads) AS rows_rejected
FROM info, week;
