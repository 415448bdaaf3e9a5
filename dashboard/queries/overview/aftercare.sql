SELECT CASE WHEN aftercare_plan THEN 'plan in place' WHEN NOT aftercare_plan THEN 'no plan' ELSE 'not recorded' END AS aftercare,
       count(*) AS discharges
FROM scoped_episodes
WHERE discharge_date BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)
GROUP BY ALL ORDER BY 1;
