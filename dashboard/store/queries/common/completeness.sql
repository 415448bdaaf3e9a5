-- Measurement completeness funnel for one instrument ($instrument), by cohort and overall:
-- admitted -> expected to take the instrument (the measurement plan in the settings: its tracks)
-- -> baseline -> at least two valid scores -> discharged -> a discharge score (a valid score within
-- outcomes.discharge_score_days, 14, before discharge). Every step after "expected" counts the
-- expected episodes only, so a track that does not take the instrument does not dilute the rates.
WITH scores AS (
    SELECT e.cohort, e.episode_id, e.discharge_date, takes_instrument(e.program, $instrument) AS expected,
           po.baseline_score, po.n_scores, po.latest_date
    FROM scoped_episodes($start, $end, $program, $clinician, $age_group, $dimension, $admitted_in_range, $group_field, $group_value) AS e
    LEFT JOIN visible_outcomes AS po ON po.episode_id = e.episode_id AND po.instrument = $instrument
)
SELECT cohort, count(*) AS admitted,
       count(*) FILTER (expected) AS expected,
       count(*) FILTER (expected AND baseline_score IS NOT NULL) AS with_baseline,
       count(*) FILTER (expected AND n_scores >= 2 AND baseline_score IS NOT NULL) AS two_or_more_scores,
       count(*) FILTER (expected AND discharge_date IS NOT NULL) AS discharged,
       count(*) FILTER (expected AND discharge_date IS NOT NULL
                        AND latest_date >= discharge_date - CAST(setting_number('outcomes_discharge_score_days') AS INTEGER)) AS discharge_score
FROM scores GROUP BY ROLLUP (cohort) ORDER BY cohort NULLS LAST;
