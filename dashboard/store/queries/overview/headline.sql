SELECT
    count(*) FILTER (admit_date <= CAST($end AS DATE) AND (discharge_date IS NULL OR discharge_date > CAST($end AS DATE))) AS active_census,
    count(*) FILTER (admit_date BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)) AS admissions,
    count(*) FILTER (discharge_date BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)) AS discharges,
    count(*) AS episodes,
    count(DISTINCT participant_id) AS participants
FROM scoped_episodes($start, $end, $program, $clinician, $age_group, $dimension, $admitted_in_range, $group_field, $group_value);
