-- Out-of-sample hit rate of the not-on-track alert, with the expected-recovery macro of
-- 04b_expected_recovery.sql (run after the marts): for each split, expected ranges from the
-- completed episodes fitted on, and each test episode alerted at a threshold when a score before
-- its last one, from first_week, is worse than that percentile of similar completed episodes.
-- Splits: getvariable('split') = 'folds' (folds by episode, getvariable('folds') of them) or
-- 'temporal' (fitted on admissions up to the median admission date, tested on those after it).
-- Judged: ended episodes (discharged by the as-of date, whatever the reason) with an intake score,
-- a later score and a reliable-change figure, the most recent alert_validation_max_episodes per
-- instrument; the outcome is that of the last score. Results: the temp table validation_counts.
CREATE OR REPLACE TEMP TABLE judged AS
SELECT po.episode_id, po.instrument, po.worse_sign, po.reliable_improvement, po.reliable_deterioration,
       t.completed, e.admit_date, hash(po.episode_id) % getvariable('folds') AS fold,
       (SELECT max(week) FROM recovery_weekly AS w WHERE w.episode_id = po.episode_id AND w.instrument = po.instrument) AS last_week
FROM participant_outcomes AS po
JOIN episode_strata AS t USING (episode_id, instrument)
JOIN episodes AS e USING (episode_id)
WHERE po.reliable_improvement IS NOT NULL   -- an intake score and a later one
  AND e.discharge_date IS NOT NULL AND e.discharge_date <= getvariable('as_of')
QUALIFY row_number() OVER (PARTITION BY po.instrument ORDER BY e.admit_date DESC, po.episode_id)
        <= getvariable('alert_validation_max_episodes');

CREATE OR REPLACE TEMP TABLE splits AS
WITH cut AS (SELECT quantile_disc(admit_date, 0.5) AS cut FROM (SELECT DISTINCT episode_id, admit_date FROM judged))
SELECT f.split, j.episode_id, j.instrument, j.fold = f.split AS is_test
FROM judged AS j, range(getvariable('folds')) AS f(split)
WHERE getvariable('split') = 'folds'
UNION ALL
SELECT 0, j.episode_id, j.instrument, j.admit_date > cut.cut
FROM judged AS j, cut
WHERE getvariable('split') = 'temporal';

CREATE OR REPLACE TEMP TABLE recovery_reference AS
SELECT s.split, w.instrument, w.intake, w.week, w.score
FROM splits AS s
JOIN judged AS j USING (episode_id, instrument)
JOIN recovery_weekly AS w USING (episode_id, instrument)
WHERE NOT s.is_test AND j.completed
  AND w.week BETWEEN getvariable('expected_response_first_week') AND getvariable('expected_response_max_week');

-- the weeks judged: from first_week, before the last score (an alert at the last score is too late)
CREATE OR REPLACE TEMP TABLE tested_weeks AS
SELECT s.split, w.episode_id, w.instrument, w.intake, w.week, w.score
FROM splits AS s
JOIN judged AS j USING (episode_id, instrument)
JOIN recovery_weekly AS w USING (episode_id, instrument)
WHERE s.is_test AND w.week >= getvariable('expected_response_first_week') AND w.week < j.last_week;

CREATE OR REPLACE TEMP TABLE recovery_targets AS
SELECT DISTINCT split, instrument, intake, least(week, getvariable('expected_response_max_week')) AS week FROM tested_weeks;

CREATE OR REPLACE TEMP TABLE fitted_on AS
SELECT s.split, s.instrument, count(*) FILTER (j.completed) AS completed_episodes
FROM splits AS s JOIN judged AS j USING (episode_id, instrument)
WHERE NOT s.is_test GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE validation_bands AS
SELECT * FROM recovery_bands(list_concat(getvariable('thresholds'), [1 - q FOR q IN getvariable('thresholds')]));

-- each test episode's first alert at each threshold (NULL: never alerted)
CREATE OR REPLACE TEMP TABLE validation_alerts AS
WITH thresholds AS (
    SELECT i, getvariable('thresholds')[i] AS threshold FROM range(1, len(getvariable('thresholds')) + 1) AS r(i)
),
checked AS (
    SELECT t.split, t.episode_id, t.instrument, t.week, h.threshold,
           b.distance IS NOT NULL AND k.completed_episodes >= getvariable('expected_response_min_completed_episodes') AS available,
           (t.score - CASE WHEN j.worse_sign > 0 THEN b.limits[h.i] ELSE b.limits[len(getvariable('thresholds')) + h.i] END)
               * j.worse_sign > 0 AS worse
    FROM tested_weeks AS t
    JOIN judged AS j USING (episode_id, instrument)
    JOIN validation_bands AS b ON b.split = t.split AND b.instrument = t.instrument AND b.intake = t.intake
                              AND b.week = least(t.week, getvariable('expected_response_max_week'))
    JOIN fitted_on AS k ON k.split = t.split AND k.instrument = t.instrument
    CROSS JOIN thresholds AS h
)
SELECT j.episode_id, j.instrument, h.threshold, j.reliable_improvement, j.reliable_deterioration, j.last_week,
       min(c.week) FILTER (c.available AND c.worse) AS first_alert_week,
       coalesce(bool_or(c.available), false) AS judged_with_a_range
FROM splits AS s
JOIN judged AS j USING (episode_id, instrument)
CROSS JOIN thresholds AS h
LEFT JOIN checked AS c ON c.split = s.split AND c.episode_id = j.episode_id AND c.instrument = j.instrument AND c.threshold = h.threshold
WHERE s.is_test
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE validation_counts AS
SELECT instrument, threshold,
       count(*) AS episodes,
       count(*) FILTER (judged_with_a_range) AS with_a_range,
       count(*) FILTER (first_alert_week IS NOT NULL) AS alerted,
       count(*) FILTER (NOT reliable_improvement) AS not_improved,
       count(*) FILTER (NOT reliable_improvement AND first_alert_week IS NOT NULL) AS alerted_not_improved,
       count(*) FILTER (reliable_deterioration) AS deteriorated,
       count(*) FILTER (reliable_deterioration AND first_alert_week IS NOT NULL) AS alerted_deteriorated,
       count(*) FILTER (reliable_improvement) AS improved,
       count(*) FILTER (reliable_improvement AND first_alert_week IS NULL) AS improved_not_alerted,
       list(last_week - first_alert_week ORDER BY last_week - first_alert_week)
           FILTER (NOT reliable_improvement AND first_alert_week IS NOT NULL) AS lead_weeks
FROM validation_alerts
GROUP BY ALL
ORDER BY instrument, threshold;
