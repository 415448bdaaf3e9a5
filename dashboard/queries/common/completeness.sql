-- Measurement completeness funnel for one instrument ($instrument), by cohort and overall:
-- admitted -> baseline -> at least two valid scores -> a discharge score (a valid score within
-- outcomes.discharge_score_days, 14, before discharge; discharged episodes only).
WITH scores AS (
    SELECT e.cohort, e.episode_id, e.discharge_date, po.baseline_score, po.n_scores, po.latest_date
    FROM scoped_episodes($start, $end, $program, $clinician, $age_group, $dimension, $admitted_in_range) AS e
    LEFT JOIN visible_outcomes AS po ON po.episode_id = e.episode_id AND po.instrument = $instrument
)
SELECT cohort, count(*) AS admitted,
       count(*) FILTER (baseline_score IS NOT NULL) AS with_baseline,
       count(*) FILTER (n_scores >= 2 AND baseline_score IS NOT NULL) AS two_or_more_scores,
       count(*) FILTER (discharge_date IS NOT NULL) AS discharged,
       count(*) FILTER (discharge_date IS NOT NULL AND latest_date >= discharge_date - CAST(setting_number('outcomes_discharge_score_days') AS INTEGER)) AS discharge_score
FROM scores GROUP BY ROLLUP (cohort) ORDER BY cohort NULLS LAST;
