-- HEDIS-style DMS (NQF 0712): in each 4-month period (Jan-Apr, May-Aug, Sep-Dec) overlapping the
-- range, participants with an encounter (an attended session; the mart dms_encounters) and whether
-- they have a PHQ-9 in that period. Cohort = the episode's cohort.
WITH encounters AS (
    SELECT DISTINCT x.period_start, x.period_end, e.cohort, x.participant_id
    FROM visible_dms_encounters AS x
    JOIN scoped_episodes($start, $end, $program, $clinician, $age_group, $dimension, $admitted_in_range, $group_field, $group_value) AS e USING (episode_id)
    WHERE x.period_start <= CAST($end AS DATE) AND x.period_end >= CAST($start AS DATE)
)
SELECT x.period_start, x.period_end, x.cohort, x.participant_id,
       EXISTS (SELECT 1 FROM visible_assessments AS a WHERE a.participant_id = x.participant_id AND a.instrument = setting_text('quality_measures_depression_instrument')
               AND a.total_valid AND a.assessed_on BETWEEN x.period_start AND x.period_end) AS has_phq9
FROM encounters AS x ORDER BY 1, 3, 4;
