SELECT CASE WHEN aftercare_plan THEN 'plan in place' WHEN NOT aftercare_plan THEN 'no plan' ELSE 'not recorded' END AS aftercare,
       count(*) AS discharges
FROM scoped_episodes($start, $end, $program, $clinician, $age_group, $dimension, $admitted_in_range, $group_field, $group_value)
WHERE discharge_date BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)
GROUP BY ALL ORDER BY 1;
