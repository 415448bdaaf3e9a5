-- HEDIS-style DMS (NQF 0712): in each 4-month period (Jan-Apr, May-Aug, Sep-Dec) overlapping the
-- range, participants with an encounter (an attended session) and whether they have a PHQ-9 in
-- that period. Cohort = the episode's cohort.
WITH periods AS (
    SELECT CAST(p AS DATE) AS period_start, CAST(p + INTERVAL 4 MONTH - INTERVAL 1 DAY AS DATE) AS period_end
    FROM generate_series(make_date(year(CAST($start AS DATE)), 1, 1), CAST($end AS DATE), INTERVAL 4 MONTH) AS t(p)
    WHERE p + INTERVAL 4 MONTH > CAST($start AS DATE)
),
encounters AS (
    SELECT DISTINCT p.period_start, p.period_end, e.cohort, s.participant_id
    FROM visible_sessions AS s JOIN scoped_episodes($start, $end, $program, $clinician, $age_group, $dimension, $admitted_in_range) AS e USING (episode_id)
    JOIN periods AS p ON s.session_date BETWEEN p.period_start AND p.period_end
    WHERE s.attended
)
SELECT x.period_start, x.period_end, x.cohort, x.participant_id,
       EXISTS (SELECT 1 FROM visible_assessments AS a WHERE a.participant_id = x.participant_id AND a.instrument = setting_text('quality_measures_depression_instrument')
               AND a.total_valid AND a.assessed_on BETWEEN x.period_start AND x.period_end) AS has_phq9
FROM encounters AS x ORDER BY 1, 3, 4;
