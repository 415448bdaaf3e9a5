-- Out-of-sample hit rate of the not-on-track alert, with the expected-recovery macro of
-- 04b_expected_recovery.sql (run after the marts): for each split, expected ranges from the
-- completed episodes fitted on, and each test episode alerted at a threshold when a score before
-- its last one, from first_week, is worse than that percentile of similar completed episodes.
-- Splits: getvariable('split') = 'folds' (folds by episode, getvariable('folds') of them) or
-- 'temporal' (fitted on admissions up to the median admission date, tested on those after it).
-- Judged: ended episodes (discharged by the as-of date, whatever the reason) with an intake score,
-- a later score and a reliable-change figure, the most recent alert_validation_max_episodes per
-- instrument; the outcome is that of the last score. Beside the alert (method 'expected_range'),
-- on the same test episodes and weeks: every plan-review signal alone and all of them together
-- (what the clinician sees), and the one-line baselines at the alert's flag rate (docs/clinical.md,
-- "How well our alerts work"). Results: the temp table validation_counts, one row per method,
-- instrument and threshold.
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

-- each split's ranges from its own completed episodes, or the published curves while they are too few
-- (04b_expected_recovery.sql)
CREATE OR REPLACE TEMP TABLE recovery_sources AS SELECT * FROM range_sources('fitted_on');

CREATE OR REPLACE TEMP TABLE recovery_reference AS
SELECT s.split, w.instrument, w.intake, w.week, w.score
FROM splits AS s
JOIN judged AS j USING (episode_id, instrument)
JOIN recovery_weekly AS w USING (episode_id, instrument)
JOIN recovery_sources AS r ON r.split = s.split AND r.instrument = s.instrument AND r.source = 'program'
WHERE NOT s.is_test AND j.completed
  AND w.week BETWEEN getvariable('expected_response_first_week') AND getvariable('expected_response_max_week')
UNION ALL
SELECT * FROM published_reference();

CREATE OR REPLACE TEMP TABLE validation_bands AS
SELECT * FROM recovery_bands(list_concat(getvariable('thresholds'), [1 - q FOR q IN getvariable('thresholds')]));

-- each test episode's first alert at each threshold (NULL: never alerted)
CREATE OR REPLACE TEMP TABLE validation_alerts AS
WITH thresholds AS (
    SELECT i, getvariable('thresholds')[i] AS threshold FROM range(1, len(getvariable('thresholds')) + 1) AS r(i)
),
checked AS (
    SELECT t.split, t.episode_id, t.instrument, t.week, h.threshold,
           b.distance IS NOT NULL AND k.source IS NOT NULL AS available,
           (t.score - CASE WHEN j.worse_sign > 0 THEN b.limits[h.i] ELSE b.limits[len(getvariable('thresholds')) + h.i] END)
               * j.worse_sign > 0 AS worse
    FROM tested_weeks AS t
    JOIN judged AS j USING (episode_id, instrument)
    JOIN validation_bands AS b ON b.split = t.split AND b.instrument = t.instrument AND b.intake = t.intake
                              AND b.week = least(t.week, getvariable('expected_response_max_week'))
    JOIN recovery_sources AS k ON k.split = t.split AND k.instrument = t.instrument
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

-- Each test week's score against the intake, with the plan-review rules the live flags apply
-- (definitions.sql) and the baselines' values (positive: worse).
CREATE OR REPLACE TEMP TABLE tested_signals AS
SELECT t.split, t.episode_id, t.instrument, t.week,
       (t.score - t.intake) * j.worse_sign AS worsening,
       -improvement_share(t.score, t.intake, j.worse_sign) AS worsening_share,  -- 0.3 = 30 % worse; -0.2 = 20 % better
       short_of_percent_change(t.score, t.intake, j.worse_sign) AS short_of_change,
       coalesce(reliably_worse((t.score - t.intake) * j.worse_sign, po.reliable_change_points), false) AS deteriorating,
       coalesce(no_improvement_at(t.week, (t.score - t.intake) * j.worse_sign, po.reliable_change_points, t.score,
                                  po.clinical_cutoff, j.worse_sign), false) AS not_improving,
       coalesce(severe_persisting_at(t.week, t.score, po.severe_from, j.worse_sign), false) AS severe,
       coalesce(worsening_at((t.score - t.intake) * j.worse_sign, po.reliable_change_points), false) AS worsening_flag,
       row_number() OVER (PARTITION BY t.split, t.episode_id, t.instrument ORDER BY t.week) AS nth
FROM tested_weeks AS t
JOIN judged AS j USING (episode_id, instrument)
JOIN participant_outcomes AS po USING (episode_id, instrument);

-- The baselines' values week by week: a rule "flag when value >= X" fires at the first such week.
--   first_follow_up: the first score from first_week, worse than intake by X of the intake (a rule
--                    flags "improved less than 20 %" as X = -0.2)
--   early_change:    the last score up to alert_validation.early_change_week, the same share
--                    (early improvement under 20 % by week 2-4 predicts non-response: Szegedi 2009 [47])
--   worst_change:    any score before the last worse than intake by X points
--   percent_change:  any score before the last worse than intake by X of the intake (the rule a program
--                    can choose as its alert, expected_response.alert_rule; its X there is a setting)
CREATE OR REPLACE TEMP TABLE baseline_values AS
SELECT split, episode_id, instrument, week, 'first_follow_up' AS method, worsening_share AS value
FROM tested_signals WHERE nth = 1
UNION ALL
(SELECT split, episode_id, instrument, week, 'early_change', worsening_share
 FROM tested_signals WHERE week <= getvariable('alert_validation_early_change_week')
 QUALIFY row_number() OVER (PARTITION BY split, episode_id, instrument ORDER BY week DESC) = 1)
UNION ALL
SELECT split, episode_id, instrument, week, 'worst_change', worsening FROM tested_signals
UNION ALL
SELECT split, episode_id, instrument, week, 'percent_change', worsening_share FROM tested_signals;

-- At each threshold, each baseline flags as many test episodes of the instrument as the alert did, among
-- those the alert could judge: the highest values (ties broken by a hash of the episode, not by the
-- outcome); X is the value of
-- the last one flagged, and an episode is flagged in the first week its value reaches X.
CREATE OR REPLACE TEMP TABLE baseline_flags AS
WITH alert_counts AS (
    SELECT instrument, threshold, count(*) FILTER (first_alert_week IS NOT NULL) AS k
    FROM validation_alerts GROUP BY ALL
),
peaks AS (
    SELECT method, episode_id, instrument, max(value) AS peak FROM baseline_values GROUP BY ALL
),
ranked AS (       -- among the episodes the alert could judge (with an expected range): the same pool
    SELECT p.*, a.threshold,
           row_number() OVER (PARTITION BY p.method, p.instrument, a.threshold ORDER BY p.peak DESC, hash(p.episode_id)) AS place,
           a.k
    FROM peaks AS p JOIN alert_counts AS a USING (instrument)
    JOIN validation_alerts AS v ON v.episode_id = p.episode_id AND v.instrument = p.instrument
                               AND v.threshold = a.threshold AND v.judged_with_a_range
),
cuts AS (
    SELECT method, instrument, threshold, min(peak) AS cut FROM ranked WHERE place <= k GROUP BY ALL
)
SELECT r.method, r.episode_id, r.instrument, r.threshold, c.cut,
       (SELECT min(v.week) FROM baseline_values AS v
        WHERE v.method = r.method AND v.episode_id = r.episode_id AND v.instrument = r.instrument AND v.value >= c.cut) AS first_alert_week
FROM ranked AS r JOIN cuts AS c USING (method, instrument, threshold)
WHERE r.place <= r.k;

-- One row per method, test episode, instrument and threshold: the first week it fired (NULL: never).
-- The signals alone need no expected range; the baselines are judged where the alert could be (they
-- flag as many as it did).
CREATE OR REPLACE TEMP TABLE validation_flags AS
WITH rules AS (
    SELECT episode_id, instrument,
           min(week) FILTER (deteriorating) AS deteriorating,
           min(week) FILTER (not_improving) AS not_improving,
           min(week) FILTER (severe) AS severe,
           min(week) FILTER (worsening_flag) AS worsening,
           min(week) FILTER (short_of_change) AS short_of_change,
           count(*) AS weeks_judged
    FROM tested_signals GROUP BY ALL
),
episodes AS (
    SELECT a.*, r.deteriorating, r.not_improving, r.severe, r.worsening, r.short_of_change, coalesce(r.weeks_judged, 0) AS weeks_judged
    FROM validation_alerts AS a LEFT JOIN rules AS r USING (episode_id, instrument)
)
SELECT 'expected_range' AS method, episode_id, instrument, threshold, reliable_improvement, reliable_deterioration,
       last_week, weeks_judged, judged_with_a_range, first_alert_week, NULL::DOUBLE AS cut
FROM episodes
UNION ALL
-- the rules that need no expected range (what fires is what the clinician sees): every signal together
-- (with the alert the program chose), the one-line alert at the program's own X
-- (expected_response.percent_change_min_improvement) as it would flag if chosen, and each signal alone
-- ("worsening": either worsening flag, worse than intake by worsening_share of the reliable change or more)
SELECT m.method, e.episode_id, e.instrument, e.threshold, e.reliable_improvement, e.reliable_deterioration,
       e.last_week, e.weeks_judged, true,
       CASE m.method
           WHEN 'all_signals'
               THEN least(CASE getvariable('expected_response_alert_rule') WHEN 'percent_change' THEN e.short_of_change
                               ELSE e.first_alert_week END,
                          e.deteriorating, e.worsening, e.not_improving, e.severe)
           WHEN 'percent_change_setting' THEN e.short_of_change
           WHEN 'reliable_deterioration' THEN e.deteriorating
           WHEN 'worsening' THEN least(e.worsening, e.deteriorating)
           WHEN 'no_improvement' THEN e.not_improving
           WHEN 'severe_persisting' THEN e.severe
       END,
       NULL
FROM episodes AS e
CROSS JOIN (VALUES ('all_signals'), ('percent_change_setting'), ('reliable_deterioration'), ('worsening'),
                   ('no_improvement'), ('severe_persisting')) AS m(method)
UNION ALL
SELECT m.method, e.episode_id, e.instrument, e.threshold, e.reliable_improvement, e.reliable_deterioration,
       e.last_week, e.weeks_judged, e.judged_with_a_range, b.first_alert_week, b.cut
FROM episodes AS e
CROSS JOIN (VALUES ('first_follow_up'), ('early_change'), ('worst_change'), ('percent_change')) AS m(method)
LEFT JOIN baseline_flags AS b ON b.method = m.method AND b.episode_id = e.episode_id
                             AND b.instrument = e.instrument AND b.threshold = e.threshold;

-- "alertable": at least one judged week (a score from first_week before the last one; with the
-- intake, two scores before the last), the only episodes any signal could flag in time.
CREATE OR REPLACE TEMP TABLE validation_counts AS
SELECT method, instrument, threshold,
       count(*) AS episodes,
       count(*) FILTER (judged_with_a_range) AS with_a_range,
       count(*) FILTER (first_alert_week IS NOT NULL) AS alerted,
       count(*) FILTER (NOT reliable_improvement) AS not_improved,
       count(*) FILTER (NOT reliable_improvement AND first_alert_week IS NOT NULL) AS alerted_not_improved,
       count(*) FILTER (reliable_deterioration) AS deteriorated,
       count(*) FILTER (reliable_deterioration AND first_alert_week IS NOT NULL) AS alerted_deteriorated,
       count(*) FILTER (reliable_deterioration AND weeks_judged >= 1) AS deteriorated_alertable,
       count(*) FILTER (reliable_deterioration AND weeks_judged >= 1 AND first_alert_week IS NOT NULL) AS alerted_deteriorated_alertable,
       count(*) FILTER (reliable_improvement) AS improved,
       count(*) FILTER (reliable_improvement AND first_alert_week IS NULL) AS improved_not_alerted,
       list(last_week - first_alert_week ORDER BY last_week - first_alert_week)
           FILTER (NOT reliable_improvement AND first_alert_week IS NOT NULL) AS lead_weeks,
       list(first_alert_week ORDER BY first_alert_week) FILTER (first_alert_week IS NOT NULL) AS alert_weeks,
       max(cut) AS rule_cut       -- a baseline's X at this flag rate
FROM validation_flags
GROUP BY ALL
ORDER BY method, instrument, threshold;
