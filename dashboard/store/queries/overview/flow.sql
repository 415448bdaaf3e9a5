-- Admissions and discharges by calendar month inside the range.
WITH events AS (
    SELECT date_trunc('month', admit_date) AS month, 'admissions' AS movement FROM scoped_episodes($start, $end, $program, $clinician, $age_group, $dimension, $admitted_in_range, $group_field, $group_value)
    WHERE admit_date BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)
    UNION ALL
    SELECT date_trunc('month', discharge_date), 'discharges' FROM scoped_episodes($start, $end, $program, $clinician, $age_group, $dimension, $admitted_in_range, $group_field, $group_value)
    WHERE discharge_date BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)
)
SELECT CAST(month AS DATE) AS month, movement, count(*) AS episodes FROM events GROUP BY ALL ORDER BY 1, 2;
