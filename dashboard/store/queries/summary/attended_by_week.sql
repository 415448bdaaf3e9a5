-- Sessions attended per week and session type over the last $weeks full weeks.
WITH info AS (SELECT CAST(date_trunc('week', data_as_of + 1) AS DATE) AS next_week FROM dataset_info)
SELECT CAST(date_trunc('week', session_date) AS DATE) AS week_start, session_type, count(*) AS sessions
FROM visible_sessions, info
WHERE attended
  AND session_date >= info.next_week - 7 * $weeks AND session_date < info.next_week
GROUP BY ALL
ORDER BY week_start, session_type;
