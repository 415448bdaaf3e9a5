-- scope: history
-- The program's own expected response: among completed episodes (discharged by the as-of date
-- with a TEDS code the settings count as completed), the 50th/80th/90th percentile of the score in
-- each treatment week (1 to max_week; definitions.sql), within strata of intake severity (the
-- baseline's severity band; the cutoff where the instrument has no bands). Below the minimum number
-- of completed episodes an instrument's band is not available (percentiles NULL); so is a stratum x
-- week cell with too few episodes. Lambert-style expected-recovery curves (clinical-rules.md, section 3).
CREATE OR REPLACE TABLE expected_response AS
WITH completed_counts AS (
    SELECT instrument, count(*) FILTER (completed) AS completed_episodes FROM episode_strata GROUP BY ALL
),
weekly AS (
    -- each completed episode's last score in each treatment week
    SELECT s.episode_id, s.instrument, s.treatment_week, arg_max(s.total_score, s.assessed_on) AS score
    FROM episode_scores AS s
    JOIN episode_strata AS t USING (episode_id, instrument)
    WHERE t.completed AND s.treatment_week BETWEEN 1 AND getvariable('expected_response_max_week')
    GROUP BY ALL
),
cells AS (
    SELECT w.instrument, t.intake_stratum, w.treatment_week, count(*) AS n_episodes,
           quantile_cont(w.score, 0.5) AS q50, quantile_cont(w.score, 0.8) AS q80, quantile_cont(w.score, 0.9) AS q90
    FROM weekly AS w JOIN episode_strata AS t USING (episode_id, instrument)
    GROUP BY ALL
),
judged AS (
    SELECT c.*, k.completed_episodes,
           k.completed_episodes >= getvariable('expected_response_min_completed_episodes')
               AND c.n_episodes >= getvariable('expected_response_min_cell_episodes') AS available
    FROM cells AS c JOIN completed_counts AS k USING (instrument)
)
SELECT c.instrument, c.intake_stratum, c.treatment_week,
       CASE WHEN available THEN round(q50, 2) END AS p50,
       CASE WHEN available THEN round(q80, 2) END AS p80,
       CASE WHEN available THEN round(q90, 2) END AS p90,
       c.n_episodes, c.completed_episodes, c.available,
       CASE WHEN c.completed_episodes < getvariable('expected_response_min_completed_episodes')
            THEN format('not available: {} completed episodes, {} needed', c.completed_episodes,
                        getvariable('expected_response_min_completed_episodes'))
            WHEN c.n_episodes < getvariable('expected_response_min_cell_episodes')
            THEN format('not available: {} episodes in this stratum and week', c.n_episodes)
       END AS note
FROM judged AS c
ORDER BY c.instrument, c.intake_stratum, c.treatment_week;
