-- Discharges in the range by TEDS-D reason (inferred episodes have no recorded reason).
SELECT coalesce(discharge_category, CASE WHEN inferred THEN 'Not recorded (inferred end)' ELSE 'Not recorded' END) AS reason,
       coalesce(discharge_teds_code, 9) AS teds_code, count(*) AS episodes
FROM scoped_episodes($start, $end, $program, $clinician, $age_group, $dimension, $admitted_in_range, $group_field, $group_value)
WHERE discharge_date BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)
GROUP BY ALL ORDER BY teds_code;
