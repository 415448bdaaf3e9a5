-- scope: participant
-- The quality measures counted as their specifications count them (docs/measures.md, the
-- conformance table): for each measure whose [period] unit is participant_period, one row per rate x
-- participant x measurement period (DMS-E: x 4-month assessment period), with the step at which it
-- left the measure ('eligible': diagnosis or age; 'window': not closed by the data date; 'excluded';
-- 'numerator': in the denominator, not met; 'met') and why. The submission files count these rows;
-- measure_episodes stays the program's own per-episode view.

-- the measurement period a date falls in: 12 months from the first of month m (the measure's own
-- start_month, HEDIS's January, else settings quality.period_start_month)
CREATE OR REPLACE TEMP MACRO period_of(d, m) AS make_date(year(d) - CASE WHEN month(d) < m THEN 1 ELSE 0 END, m, 1);

CREATE OR REPLACE TEMP TABLE specified AS
SELECT s.* REPLACE (CAST(coalesce(s.start_month, getvariable('quality_period_start_month')) AS INTEGER) AS start_month),
       vs.name AS dx_name
FROM measure_specs AS s
LEFT JOIN measure_value_sets AS vs ON vs.value_set = s.diagnosis_value_set
WHERE s.unit = 'participant_period';

-- every score the measures read, with the measurement period its date counts for: the period
-- intake_shift_months later (DRR-E's intake period, 1 May to 30 April, counts for the calendar year
-- that ends after its follow-up), and the age the roster allows on its day
CREATE OR REPLACE TEMP TABLE specified_values AS
SELECT s.measure_id, m.priority, v.instrument || coalesce(' ' || v.subscale, '') AS scored, v.participant_id, v.episode_id,
       v.assessed_on, v.value,
       period_of(CAST(v.assessed_on + to_months(s.intake_shift_months) AS DATE), s.start_month) AS period_start,
       m.max_age IS NULL OR coalesce(age_low(b.birth_date, b.age_at_admission, b.age_admit_date, b.birth_year, v.assessed_on)
                                     <= m.max_age, FALSE) AS age_fits
FROM specified AS s
JOIN measure_scores AS m ON m.measure_id = s.measure_id
JOIN scored_values AS v ON v.instrument = m.instrument AND v.subscale IS NOT DISTINCT FROM m.subscale
LEFT JOIN measure_births AS b ON b.participant_id = v.participant_id;
DELETE FROM specified_values WHERE NOT age_fits;  -- a PHQ-A counts only for those 17 or younger

-- does a participant have the measure's qualifying diagnosis on day d (ICD-10: a diagnosis of the
-- value set active that day; roster: the score's episode's group; nothing recorded: yes)
CREATE OR REPLACE TEMP MACRO dx_on(source, has_icd, group_ok) AS
    CASE source WHEN 'ICD-10 diagnoses' THEN has_icd WHEN 'roster diagnosis group' THEN coalesce(group_ok, FALSE) ELSE TRUE END;

CREATE OR REPLACE TEMP TABLE specified_rows AS
WITH
-- score_window: each elevated score, whether the participant has the diagnosis that day and the age
elevated AS (
    SELECT s.measure_id, v.participant_id, v.period_start, v.assessed_on, v.value, v.scored, v.episode_id,
           CASE WHEN s.diagnosis_value_set IS NULL AND len(s.diagnosis_groups) = 0 THEN TRUE
                ELSE dx_on(src.dx_source,
                           EXISTS (SELECT 1 FROM measure_dx AS q
                                   WHERE q.participant_id = v.participant_id AND q.value_set = s.diagnosis_value_set
                                     AND v.assessed_on BETWEEN q.start_date AND q.end_date),
                           in_groups(s.diagnosis_groups, e.diagnosis_group)) END AS dx_ok,
           age_problem(s.min_age, b.birth_date, b.age_at_admission, b.age_admit_date, b.birth_year,
                       CASE s.age_at WHEN 'index' THEN v.assessed_on
                            ELSE CAST(v.period_start - to_months(s.intake_shift_months) AS DATE) END,
                       CASE s.age_at WHEN 'index' THEN 'the elevated score' ELSE 'the start of the intake period' END) AS too_young,
           coalesce(src.dx_source, 'not recorded') AS dx_source
    FROM specified AS s
    JOIN specified_values AS v ON v.measure_id = s.measure_id
    LEFT JOIN measure_dx_source AS src ON src.participant_id = v.participant_id
    LEFT JOIN episodes AS e ON e.episode_id = v.episode_id
    LEFT JOIN measure_births AS b ON b.participant_id = v.participant_id
    WHERE s.kind = 'score_window' AND v.value > s.index_above AND v.assessed_on <= getvariable('as_of')
),
-- one index per participant and period: the first elevated score with the diagnosis and the age;
-- without one, the period's first elevated score says why none qualified
chosen AS (
    SELECT measure_id, participant_id, period_start, any_value(dx_source) AS dx_source,
           min(assessed_on) FILTER (dx_ok AND too_young IS NULL) AS index_date,
           arg_min(value, assessed_on) FILTER (dx_ok AND too_young IS NULL) AS index_value,
           arg_min(scored, assessed_on) FILTER (dx_ok AND too_young IS NULL) AS index_scored,
           arg_min(episode_id, assessed_on) FILTER (dx_ok AND too_young IS NULL) AS index_episode,
           min(assessed_on) AS first_elevated, arg_min(episode_id, assessed_on) AS first_episode,
           arg_min(CASE WHEN NOT dx_ok THEN 'dx' ELSE too_young END, assessed_on) AS first_problem
    FROM elevated GROUP BY ALL
),
windowed AS (
    SELECT c.*, s.kind, s.months, s.from_days, s.to_days,
           window_opens(c.index_date, s.months, s.minus_days, s.from_days) AS window_opens,
           window_shuts(c.index_date, s.months, s.plus_days, s.to_days) AS window_closes,
           CASE WHEN c.index_date IS NULL THEN
               CASE WHEN c.first_problem = 'dx' THEN 'no ' || lower(s.dx_name) || ' diagnosis active at an elevated ' || c.index_scored_any
                    ELSE c.first_problem END END AS not_eligible
    FROM (SELECT *, (SELECT any_value(instrument) FROM measure_scores AS m WHERE m.measure_id = chosen.measure_id) AS index_scored_any
          FROM chosen) AS c
    JOIN specified AS s USING (measure_id)
),
score_window AS (
    SELECT w.measure_id, w.participant_id, w.period_start, w.dx_source, coalesce(w.index_episode, w.first_episode) AS episode_id,
           coalesce(w.index_scored, w.index_scored_any) AS scored, coalesce(w.index_date, w.first_elevated) AS unit_start,
           w.index_date, w.index_value, w.window_opens, w.window_closes, w.not_eligible,
           max(v.assessed_on) AS result_date, arg_max(v.value, v.assessed_on) AS result_value
    FROM windowed AS w
    LEFT JOIN specified_values AS v ON v.measure_id = w.measure_id AND v.participant_id = w.participant_id
     AND v.assessed_on BETWEEN w.window_opens AND w.window_closes AND v.assessed_on <= getvariable('as_of')
    GROUP BY ALL
),
-- monitoring (DMS-E): each assessment period (period_months long, from the measurement period's
-- start) in which the participant attended a session, with the diagnosis active on a day of it
attended AS (
    SELECT DISTINCT s.measure_id, x.participant_id, period_of(x.session_date, s.start_month) AS period_start,
           CAST(period_of(x.session_date, s.start_month)
                + to_months(((month(x.session_date) - s.start_month + 12) % 12) // s.period_months * s.period_months)
                AS DATE) AS unit_start,
           s.period_months, e.diagnosis_group, s.diagnosis_groups, s.diagnosis_value_set, s.dx_name, s.min_age
    FROM specified AS s
    JOIN sessions AS x ON x.attended AND x.session_date <= getvariable('as_of')
    LEFT JOIN episodes AS e ON e.episode_id = x.episode_id
    WHERE s.kind = 'monitoring'
),
monitoring AS (
    SELECT a.measure_id, a.participant_id, a.period_start, coalesce(any_value(src.dx_source), 'not recorded') AS dx_source,
           NULL::VARCHAR AS episode_id,
           (SELECT any_value(instrument) FROM measure_scores AS m WHERE m.measure_id = a.measure_id) AS scored,
           a.unit_start, a.unit_start AS index_date, NULL::DOUBLE AS index_value, a.unit_start AS window_opens,
           CAST(a.unit_start + to_months(a.period_months) - INTERVAL 1 DAY AS DATE) AS window_closes,
           CASE WHEN a.diagnosis_value_set IS NULL AND len(any_value(a.diagnosis_groups)) = 0 THEN NULL
                WHEN NOT dx_on(any_value(src.dx_source),
                               bool_or(q.participant_id IS NOT NULL),
                               bool_or(in_groups(a.diagnosis_groups, a.diagnosis_group)))
                    THEN 'no ' || lower(a.dx_name) || ' diagnosis active in the assessment period'
                ELSE age_problem(a.min_age, any_value(b.birth_date), any_value(b.age_at_admission), any_value(b.age_admit_date),
                                 any_value(b.birth_year), a.period_start, 'the start of the measurement period') END AS not_eligible
    FROM attended AS a
    LEFT JOIN measure_dx_source AS src ON src.participant_id = a.participant_id
    LEFT JOIN measure_births AS b ON b.participant_id = a.participant_id
    LEFT JOIN measure_dx AS q ON q.participant_id = a.participant_id AND q.value_set = a.diagnosis_value_set
     AND q.start_date <= CAST(a.unit_start + to_months(a.period_months) - INTERVAL 1 DAY AS DATE) AND q.end_date >= a.unit_start
    GROUP BY a.measure_id, a.participant_id, a.period_start, a.unit_start, a.period_months, a.diagnosis_value_set, a.dx_name, a.min_age
),
monitored AS (
    SELECT m.* EXCLUDE (episode_id), arg_max(v.episode_id, v.assessed_on) AS episode_id,
           max(v.assessed_on) AS result_date, arg_max(v.value, v.assessed_on) AS result_value
    FROM monitoring AS m
    LEFT JOIN specified_values AS v ON v.measure_id = m.measure_id AND v.participant_id = m.participant_id
     AND v.assessed_on BETWEEN m.window_opens AND m.window_closes
    GROUP BY ALL
)
SELECT * FROM score_window
UNION ALL BY NAME SELECT * FROM monitored;

-- exclusions: a diagnosis of an excluded value set that started by the window's end (the
-- measurement period's end where the specification says so), or death (a discharge whose TEDS-D
-- reason the measure excludes) by then
CREATE OR REPLACE TABLE measure_specified AS
WITH until AS (
    SELECT r.*, s.kind, s.exclude_value_sets, s.exclude_codes, s.intake_shift_months,
           least(CASE s.exclude_until WHEN 'window_end' THEN r.window_closes
                      ELSE CAST(r.period_start + INTERVAL 12 MONTH - INTERVAL 1 DAY AS DATE) END,
                 getvariable('as_of')) AS excluded_by
    FROM specified_rows AS r JOIN specified AS s USING (measure_id)
),
dx_excluded AS (
    SELECT u.measure_id, u.participant_id, u.unit_start, 'diagnosis: ' || lower(min(vs.name)) AS exclusion
    FROM until AS u
    JOIN measure_dx AS q ON q.participant_id = u.participant_id AND list_contains(u.exclude_value_sets, q.value_set)
     AND q.start_date <= u.excluded_by
     AND (q.lookback = 'history' OR q.end_date >= CAST(u.period_start - to_months(u.intake_shift_months) AS DATE))
    JOIN measure_value_sets AS vs ON vs.value_set = q.value_set
    GROUP BY ALL
),
died AS (
    SELECT u.measure_id, u.participant_id, u.unit_start, 'discharged: ' || lower(min(t.label)) AS exclusion
    FROM until AS u
    JOIN episodes AS e ON e.participant_id = u.participant_id AND list_contains(u.exclude_codes, e.discharge_teds_code)
     AND e.discharge_date <= u.excluded_by
    JOIN teds_reasons AS t ON t.code = e.discharge_teds_code
    GROUP BY ALL
),
judged AS (
    SELECT r.rate_id, r.position AS rate_position, u.*, coalesce(x.exclusion, d.exclusion) AS exclusion,
           coalesce(u.window_closes <= getvariable('as_of'), FALSE) AS window_closed,
           coalesce(CASE r.rule
               WHEN 'below' THEN u.result_value < r.value
               WHEN 'drop' THEN u.result_value <= (1 - r.value) * u.index_value
               WHEN 'scored' THEN u.result_value IS NOT NULL
               WHEN 'each_period' THEN u.result_value IS NOT NULL
           END, FALSE) AS met
    FROM until AS u
    JOIN measure_rates AS r USING (measure_id)
    LEFT JOIN dx_excluded AS x USING (measure_id, participant_id, unit_start)
    LEFT JOIN died AS d USING (measure_id, participant_id, unit_start)
)
SELECT measure_id, rate_id, rate_position, participant_id, episode_id, period_start,
       CAST(period_start + INTERVAL 12 MONTH - INTERVAL 1 DAY AS DATE) AS period_end, unit_start, scored,
       index_date, index_value, window_opens, window_closes, result_date, result_value, met, dx_source,
       CASE WHEN not_eligible IS NOT NULL THEN 'eligible' WHEN NOT window_closed THEN 'window'
            WHEN exclusion IS NOT NULL THEN 'excluded' WHEN NOT met THEN 'numerator' ELSE 'met' END AS stopped_at,
       CASE WHEN not_eligible IS NOT NULL THEN not_eligible
            WHEN NOT window_closed THEN 'window closes ' || strftime(window_closes, '%d %b %Y')
            WHEN exclusion IS NOT NULL THEN exclusion
            WHEN kind = 'monitoring' THEN coalesce(scored || ' ' || CAST(result_value AS INTEGER) || ' on ' || strftime(result_date, '%d %b %Y'),
                                                   'no ' || scored || ' in the assessment period')
            WHEN result_value IS NULL THEN 'no ' || scored || ' in the window ' || strftime(window_opens, '%d %b %Y')
                                           || ' – ' || strftime(window_closes, '%d %b %Y')
            ELSE scored || ' ' || CAST(index_value AS INTEGER) || ' → ' || CAST(result_value AS INTEGER)
       END AS reason
FROM judged;
