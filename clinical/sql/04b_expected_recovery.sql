-- scope: history
-- Expected recovery conditioned on the intake score and the treatment week, from the program's own
-- completed episodes (docs/clinical.md, "Expected recovery"; Lutz et al.'s nearest-neighbour
-- expected treatment response, clinical-rules.md section 3): for an intake score and a week, the
-- scores that week of the completed episodes whose intake scores were nearest — the narrowest
-- window around the intake holding at least `neighbours` episodes with a score that week, no wider
-- than `max_intake_distance` of the score range. Every week from first_week is judged: worse than
-- the at-risk percentile of those episodes = at risk, worse than the off-track percentile = not on
-- track. python -m dashboard.commands.validate measures the hit rate with the same macro (setup/validation.sql).

-- every episode's intake in every week judged (a later week is judged against the last week's range)
CREATE OR REPLACE TEMP TABLE recovery_targets AS
SELECT DISTINCT 0 AS split, w.instrument, w.intake, least(w.week, getvariable('expected_response_max_week')) AS week
FROM recovery_weekly AS w WHERE w.week >= getvariable('expected_response_first_week');

-- Where each measure's expected ranges come from (split: 0 here; a fold in the validation, from the
-- table fitted_on(split, instrument, completed_episodes)): the program's own completed episodes once
-- it has min_completed_episodes of them; until then the published recovery curves
-- (published_recovery.toml) for the depression measures it lists, with a severe band; else none.
CREATE OR REPLACE TEMP MACRO range_sources(fitted) AS TABLE
SELECT f.split, f.instrument, f.completed_episodes,
       CASE WHEN f.completed_episodes >= getvariable('expected_response_min_completed_episodes') THEN 'program'
            WHEN c.severe_from IS NOT NULL AND c.higher_is_worse AND c.total_rule = 'sum'
                 AND getvariable('expected_response_published_curves')
                 AND f.instrument IN (SELECT instrument FROM published_recovery_measures)
                 AND EXISTS (SELECT 1 FROM published_recovery) THEN 'published'
       END AS source
FROM query_table(fitted) AS f JOIN instrument_catalogue AS c USING (instrument);

CREATE OR REPLACE TEMP TABLE recovery_fitted AS
SELECT 0 AS split, instrument, count(*) FILTER (completed) AS completed_episodes FROM episode_strata GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE recovery_sources AS SELECT * FROM range_sources('recovery_fitted');

-- The published curves as reference scores for each target: the `neighbours` trial participants
-- nearest in intake severity (intake / severe_from), their improvement share that week (the last
-- week the trials cover for later weeks) applied to the target's intake. All at the target's
-- intake, so the nearest-neighbour window below takes them whole.
CREATE OR REPLACE TEMP MACRO published_reference() AS TABLE
SELECT t.split, t.instrument, t.intake, t.week,
       t.intake - p.share * greatest(abs(t.intake), 1) AS score
FROM recovery_targets AS t
JOIN recovery_sources AS s ON s.split = t.split AND s.instrument = t.instrument AND s.source = 'published'
JOIN instrument_catalogue AS c ON c.instrument = t.instrument
JOIN published_recovery AS p ON p.week = least(t.week, (SELECT max(week) FROM published_recovery))
QUALIFY row_number() OVER (PARTITION BY t.split, t.instrument, t.intake, t.week
                           ORDER BY abs(p.severity - t.intake / c.severe_from), p.trial, p.patient)
        <= getvariable('expected_response_neighbours');

CREATE OR REPLACE TEMP TABLE recovery_reference AS
SELECT 0 AS split, w.instrument, w.intake, w.week, w.score
FROM recovery_weekly AS w JOIN episode_strata AS t USING (episode_id, instrument)
JOIN recovery_sources AS s ON s.split = 0 AND s.instrument = w.instrument AND s.source = 'program'
WHERE t.completed AND w.week BETWEEN getvariable('expected_response_first_week') AND getvariable('expected_response_max_week')
UNION ALL
SELECT * FROM published_reference();

-- Percentiles (`probabilities`) of the reference scores for each target: the tables
-- recovery_reference(split, instrument, intake, week, score) and recovery_targets(split,
-- instrument, intake, week) (split: 0 here; a fold in the validation).
CREATE OR REPLACE TEMP MACRO recovery_bands(probabilities) AS TABLE
WITH counts AS (
    SELECT split, instrument, week, intake, count(*) AS n FROM recovery_reference GROUP BY ALL
),
windows AS (
    SELECT t.split, t.instrument, t.week, t.intake, abs(c.intake - t.intake) AS distance,
           sum(c.n) OVER (PARTITION BY t.split, t.instrument, t.week, t.intake ORDER BY abs(c.intake - t.intake)
                          RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS within
    FROM (SELECT DISTINCT split, instrument, week, intake FROM recovery_targets) AS t
    LEFT JOIN counts AS c USING (split, instrument, week)     -- a target with no reference gets its row (and its reason)
),
chosen AS (
    SELECT w.split, w.instrument, w.week, w.intake,
           min(w.distance) FILTER (w.within >= getvariable('expected_response_neighbours')
                                   AND w.distance <= getvariable('expected_response_max_intake_distance') * (c.total_max - c.total_min)) AS distance,
           max(w.within) FILTER (w.distance <= getvariable('expected_response_max_intake_distance') * (c.total_max - c.total_min)) AS nearby
    FROM windows AS w JOIN instrument_catalogue AS c USING (instrument)
    GROUP BY ALL
)
SELECT ch.split, ch.instrument, ch.week, ch.intake, ch.distance, coalesce(ch.nearby, 0) AS nearby,
       count(r.score) AS n_episodes, quantile_cont(r.score, probabilities) AS limits
FROM chosen AS ch
LEFT JOIN recovery_reference AS r ON r.split = ch.split AND r.instrument = ch.instrument AND r.week = ch.week
                                  AND abs(r.intake - ch.intake) <= ch.distance
GROUP BY ALL;

-- p10 … p90 as percentiles of scores; the limits oriented so that beyond them is worse (for an
-- instrument where lower is worse, the at-risk limit is the 35th percentile when at risk is 65 %)
CREATE OR REPLACE TABLE expected_recovery AS
WITH bands AS (
    SELECT * FROM recovery_bands([0.1, 0.25, 0.5, 0.75, 0.9,
                                  getvariable('expected_response_at_risk_percentile'), 1 - getvariable('expected_response_at_risk_percentile'),
                                  getvariable('expected_response_off_track_percentile'), 1 - getvariable('expected_response_off_track_percentile')])
)
SELECT b.instrument, b.intake AS intake_score, b.week AS treatment_week, b.n_episodes, b.distance AS intake_distance,
       k.completed_episodes, k.source AS range_source,
       b.distance IS NOT NULL AND k.source IS NOT NULL AS available,
       CASE WHEN available THEN round(b.limits[1], 2) END AS p10,
       CASE WHEN available THEN round(b.limits[2], 2) END AS p25,
       CASE WHEN available THEN round(b.limits[3], 2) END AS p50,
       CASE WHEN available THEN round(b.limits[4], 2) END AS p75,
       CASE WHEN available THEN round(b.limits[5], 2) END AS p90,
       CASE WHEN available THEN round(CASE WHEN c.higher_is_worse THEN b.limits[6] ELSE b.limits[7] END, 2) END AS at_risk_limit,
       CASE WHEN available THEN round(CASE WHEN c.higher_is_worse THEN b.limits[8] ELSE b.limits[9] END, 2) END AS off_track_limit,
       CASE WHEN k.source IS NULL
            THEN format('no expected range: {} completed episodes of {}, {} needed (no published recovery curve applies to it)',
                        k.completed_episodes, b.instrument, getvariable('expected_response_min_completed_episodes'))
            WHEN b.distance IS NULL
            THEN format('no expected range: {} completed episodes started near {} and had a week-{} score, {} needed',
                        b.nearby, num(b.intake), b.week, getvariable('expected_response_neighbours'))
       END AS note
FROM bands AS b
JOIN instrument_catalogue AS c USING (instrument)
JOIN recovery_sources AS k USING (split, instrument)
ORDER BY 1, 2, 3;
