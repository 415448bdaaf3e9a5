-- scope: participant
-- Quality measures (docs/measures.md): each specification of clinical/quality_measures/*.toml
-- (tables measure_specs, measure_scores, measure_rates) applied to every episode admitted by the
-- as-of date. One row per measure x rate x episode, with the step at which the episode left the
-- measure: 'eligible' (diagnosis, age), 'index' (no index event), 'window' (its window has not closed),
-- 'excluded', 'numerator' (in the denominator, not met), or 'met'; and why, in words. This is the
-- program's own view, per episode admitted in a period; the specifications' count (one index per
-- participant per measurement period) is measure_specified (12_measures_as_specified.sql). Diagnoses
-- and ages come from 11_measure_inputs.sql.
-- the DMS encounters mart of definitions version 4 is replaced by the DMS-E measure here
DROP TABLE IF EXISTS dms_encounters;

-- the value sets each episode has a diagnosis of, active on some day of its stay (to the data date)
CREATE OR REPLACE TEMP TABLE episode_dx AS
SELECT DISTINCT e.episode_id, q.value_set
FROM episodes AS e
JOIN measure_dx AS q ON q.participant_id = e.participant_id
 AND q.start_date <= least(coalesce(e.discharge_date, getvariable('as_of')), getvariable('as_of'))
 AND q.end_date >= e.admit_date;

CREATE OR REPLACE TEMP TABLE measure_base AS
SELECT s.measure_id, s.kind, e.episode_id, e.participant_id, e.admit_date, e.discharge_date, e.discharge_teds_code,
       s.index_above, s.from_days, s.to_days, s.months, s.minus_days, s.plus_days, s.period_months, s.days,
       s.engaged_days, s.min_age, s.exclude_value_sets,
       CASE WHEN s.diagnosis_value_set IS NULL AND len(s.diagnosis_groups) = 0 THEN 'no diagnosis needed'
            ELSE src.dx_source END AS dx_source,
       CASE WHEN s.diagnosis_value_set IS NULL AND len(s.diagnosis_groups) = 0 THEN NULL
            WHEN src.dx_source = 'ICD-10 diagnoses' AND s.diagnosis_value_set IS NOT NULL AND ed.episode_id IS NULL
                THEN 'no ' || lower(vs.name) || ' diagnosis active in the stay'
            WHEN src.dx_source = 'roster diagnosis group' AND e.diagnosis_group IS NULL THEN 'no diagnosis group recorded'
            WHEN src.dx_source = 'roster diagnosis group' AND NOT in_groups(s.diagnosis_groups, e.diagnosis_group)
                THEN 'diagnosis group outside the measure'
       END AS not_eligible,
       list_contains(s.exclude_codes, e.discharge_teds_code) AS discharge_excluded,
       CASE WHEN list_contains(s.exclude_codes, e.discharge_teds_code) THEN 'discharged: ' || lower(t.label) END AS exclusion
FROM measure_specs AS s
CROSS JOIN episodes AS e
LEFT JOIN measure_dx_source AS src ON src.participant_id = e.participant_id
LEFT JOIN measure_value_sets AS vs ON vs.value_set = s.diagnosis_value_set
LEFT JOIN episode_dx AS ed ON ed.episode_id = e.episode_id AND ed.value_set = s.diagnosis_value_set
LEFT JOIN teds_reasons AS t ON t.code = e.discharge_teds_code
WHERE e.admit_date <= getvariable('as_of');

-- every valid score the measures read, once per instrument (and subscale) however many measures
-- read it (four read the PHQ-9), then named for each measure by its order of preference
CREATE OR REPLACE TEMP TABLE scored_values AS
WITH wanted AS (SELECT DISTINCT instrument, subscale FROM measure_scores)
SELECT w.instrument, w.subscale, a.participant_id, a.episode_id, a.assessed_on, CAST(a.total_score AS DOUBLE) AS value
FROM wanted AS w JOIN assessments AS a ON a.instrument = w.instrument
WHERE w.subscale IS NULL AND a.total_valid AND a.total_score IS NOT NULL AND a.assessed_on <= getvariable('as_of')
UNION ALL
SELECT w.instrument, w.subscale, a.participant_id, a.episode_id, a.assessed_on, CAST(s.score AS DOUBLE)
FROM wanted AS w
JOIN assessment_subscales AS s ON s.instrument = w.instrument AND s.subscale = w.subscale
JOIN assessments AS a USING (assessment_id)
WHERE s.score IS NOT NULL AND a.assessed_on <= getvariable('as_of');

CREATE OR REPLACE TEMP VIEW measure_values AS
SELECT m.measure_id, m.priority, m.instrument || coalesce(' ' || m.subscale, '') AS scored, v.participant_id, v.episode_id,
       v.assessed_on, v.value
FROM measure_scores AS m JOIN scored_values AS v ON v.instrument = m.instrument AND v.subscale IS NOT DISTINCT FROM m.subscale;

-- a score window's first and last day: six calendar months after the index minus and plus 60 days
-- (months, minus_days, plus_days: a month added to the 31st ends on the month's last day, as CQL
-- adds months), or from_days to to_days after it (HEDIS DRR-E's 120-240); both inclusive
CREATE OR REPLACE TEMP MACRO window_opens(index_date, months, minus_days, from_days) AS
    CASE WHEN months IS NOT NULL THEN CAST(index_date + to_months(months) AS DATE) - minus_days ELSE index_date + from_days END;
CREATE OR REPLACE TEMP MACRO window_shuts(index_date, months, plus_days, to_days) AS
    CASE WHEN months IS NOT NULL THEN CAST(index_date + to_months(months) AS DATE) + plus_days ELSE index_date + to_days END;

CREATE OR REPLACE TEMP TABLE measure_steps AS
WITH
-- score_window: the episode's first score above the index threshold, then the participant's latest
-- score from_days to to_days after it (after discharge too: follow-up surveys hold no episode)
sw_index AS (
    SELECT b.measure_id, b.episode_id, any_value(v.scored) AS scored, min(v.assessed_on) AS index_date,
           arg_min(v.value, v.assessed_on) AS index_value
    FROM measure_base AS b
    JOIN measure_values AS v ON v.measure_id = b.measure_id AND v.episode_id = b.episode_id AND v.priority = 1
    WHERE b.kind = 'score_window' AND v.value > b.index_above
    GROUP BY ALL
),
sw_result AS (
    SELECT i.measure_id, i.episode_id, max(v.assessed_on) AS result_date, arg_max(v.value, v.assessed_on) AS result_value
    FROM sw_index AS i
    JOIN measure_base AS b USING (measure_id, episode_id)
    JOIN measure_values AS v ON v.measure_id = i.measure_id AND v.participant_id = b.participant_id AND v.priority = 1
     AND v.assessed_on BETWEEN window_opens(i.index_date, b.months, b.minus_days, b.from_days)
                           AND window_shuts(i.index_date, b.months, b.plus_days, b.to_days)
    GROUP BY ALL
),
score_window AS (
    SELECT b.*, coalesce(i.scored, (SELECT any_value(instrument) FROM measure_scores AS m WHERE m.measure_id = b.measure_id)) AS scored,
           i.index_date IS NOT NULL AS has_index, i.index_date, i.index_value,
           window_shuts(i.index_date, b.months, b.plus_days, b.to_days) AS window_closes, r.result_date, r.result_value, NULL::BOOLEAN AS engaged
    FROM measure_base AS b LEFT JOIN sw_index AS i USING (measure_id, episode_id) LEFT JOIN sw_result AS r USING (measure_id, episode_id)
    WHERE b.kind = 'score_window'
),
-- monitoring: the calendar periods (period_months long, from January) with an attended session;
-- judged once a period has ended: index_value = ended periods, result_value = those with a score
mon_periods AS (
    SELECT DISTINCT b.measure_id, b.episode_id, b.participant_id,
           make_date(year(x.session_date), (month(x.session_date) - 1) // b.period_months * b.period_months + 1, 1) AS period_start,
           b.period_months
    FROM measure_base AS b
    JOIN sessions AS x ON x.episode_id = b.episode_id AND x.attended AND x.session_date <= getvariable('as_of')
    WHERE b.kind = 'monitoring'
),
mon_judged AS (
    SELECT p.measure_id, p.episode_id, p.period_start,
           CAST(p.period_start + to_months(p.period_months) - INTERVAL 1 DAY AS DATE) AS period_end,
           count(v.value) > 0 AS assessed
    FROM mon_periods AS p
    LEFT JOIN measure_values AS v ON v.measure_id = p.measure_id AND v.participant_id = p.participant_id AND v.priority = 1
     AND v.assessed_on BETWEEN p.period_start AND CAST(p.period_start + to_months(p.period_months) - INTERVAL 1 DAY AS DATE)
    GROUP BY ALL
),
monitoring AS (
    SELECT b.*, (SELECT any_value(instrument) FROM measure_scores AS m WHERE m.measure_id = b.measure_id) AS scored,
           j.first_period IS NOT NULL AS has_index, j.first_period AS index_date, j.ended AS index_value,
           j.first_end AS window_closes, j.last_end AS result_date, j.assessed AS result_value, NULL::BOOLEAN AS engaged
    FROM measure_base AS b
    LEFT JOIN (SELECT measure_id, episode_id, min(period_start) AS first_period, min(period_end) AS first_end,
                      max(period_end) FILTER (period_end <= getvariable('as_of')) AS last_end,
                      CAST(count(*) FILTER (period_end <= getvariable('as_of')) AS DOUBLE) AS ended,
                      CAST(count(*) FILTER (period_end <= getvariable('as_of') AND assessed) AS DOUBLE) AS assessed
               FROM mon_judged GROUP BY ALL) AS j USING (measure_id, episode_id)
    WHERE b.kind = 'monitoring'
),
-- use_at_discharge: the first instrument (in order of preference) the episode has a score on; its
-- first score of the stay is the intake, its last the discharge score
ud_choice AS (
    SELECT b.measure_id, b.episode_id, min(v.priority) AS priority
    FROM measure_base AS b JOIN measure_values AS v ON v.measure_id = b.measure_id AND v.episode_id = b.episode_id
    WHERE b.kind = 'use_at_discharge'
    GROUP BY ALL
),
ud_scores AS (
    SELECT c.measure_id, c.episode_id, any_value(v.scored) AS scored, min(v.assessed_on) AS index_date,
           arg_min(v.value, v.assessed_on) AS index_value, max(v.assessed_on) AS last_date,
           arg_max(v.value, v.assessed_on) AS last_value
    FROM ud_choice AS c
    JOIN measure_values AS v ON v.measure_id = c.measure_id AND v.episode_id = c.episode_id AND v.priority = c.priority
    GROUP BY ALL
),
use_at_discharge AS (
    SELECT b.*, coalesce(u.scored, (SELECT string_agg(instrument || coalesce(' ' || subscale, ''), ' or ' ORDER BY priority)
                                    FROM measure_scores AS m WHERE m.measure_id = b.measure_id)) AS scored,
           coalesce(u.index_value > b.index_above, FALSE) AS has_index, u.index_date, u.index_value,
           b.discharge_date AS window_closes,
           CASE WHEN u.last_date > u.index_date THEN u.last_date END AS result_date,
           CASE WHEN u.last_date > u.index_date THEN u.last_value END AS result_value, NULL::BOOLEAN AS engaged
    FROM measure_base AS b LEFT JOIN ud_scores AS u USING (measure_id, episode_id)
    WHERE b.kind = 'use_at_discharge'
),
-- first_session and retention: the admission is the index event
attended AS (
    SELECT b.measure_id, b.episode_id, min(x.session_date) AS first_date,
           max(x.session_date) FILTER (x.session_date <= b.admit_date + b.days) AS last_by_day,
           count(*) FILTER (x.session_date BETWEEN b.admit_date + b.days - b.engaged_days + 1 AND b.admit_date + b.days) > 0
               AS attended_before_day
    FROM measure_base AS b
    JOIN sessions AS x ON x.episode_id = b.episode_id AND x.attended AND x.session_date <= getvariable('as_of')
    WHERE b.kind IN ('first_session', 'retention')
    GROUP BY ALL
),
from_admission AS (
    SELECT b.* REPLACE (
               -- retention: leaving for another level of care, prison or death counts only before the day
               CASE WHEN b.kind = 'retention' AND b.discharge_excluded
                         AND coalesce(b.discharge_date, DATE '9999-12-31') >= b.admit_date + b.days THEN NULL
                    ELSE b.exclusion END AS exclusion),
           'attended session' AS scored, TRUE AS has_index, b.admit_date AS index_date, NULL::DOUBLE AS index_value,
           b.admit_date + b.days AS window_closes,
           CASE WHEN b.kind = 'first_session' THEN a.first_date ELSE a.last_by_day END AS result_date,
           -- (greatest() skips NULLs: an episode with no session would read day 0)
           CASE WHEN b.kind = 'first_session' AND a.first_date IS NOT NULL
                THEN CAST(greatest(a.first_date - b.admit_date, 0) AS DOUBLE) END AS result_value,
           CASE WHEN b.kind = 'retention' THEN
               (list_contains(getvariable('outcomes_completed_teds_codes'), b.discharge_teds_code)
                    AND b.discharge_date <= b.admit_date + b.days)
               OR (coalesce(b.discharge_date, DATE '9999-12-31') >= b.admit_date + b.days AND coalesce(a.attended_before_day, FALSE))
           END AS engaged
    FROM measure_base AS b LEFT JOIN attended AS a USING (measure_id, episode_id)
    WHERE b.kind IN ('first_session', 'retention')
)
SELECT * FROM score_window
UNION ALL BY NAME SELECT * FROM monitoring
UNION ALL BY NAME SELECT * FROM use_at_discharge
UNION ALL BY NAME SELECT * FROM from_admission;

CREATE OR REPLACE TABLE measure_episodes AS
WITH
-- excluded by a diagnosis (bipolar, psychotic …) that started by the window's end (the data date
-- while the window is open), named by its value set (the first by name when several)
dx_excluded AS (
    SELECT k.measure_id, k.episode_id, 'diagnosis: ' || lower(min(vs.name)) AS exclusion
    FROM measure_steps AS k
    JOIN measure_dx AS q ON q.participant_id = k.participant_id AND list_contains(k.exclude_value_sets, q.value_set)
     AND q.start_date <= least(coalesce(k.window_closes, getvariable('as_of')), getvariable('as_of'))
     AND (q.lookback = 'history' OR q.end_date >= k.admit_date)   -- palliative care: during the stay or after
    JOIN measure_value_sets AS vs ON vs.value_set = q.value_set
    GROUP BY ALL
),
checked AS (
    SELECT k.* REPLACE (
               coalesce(k.not_eligible,
                        age_problem(k.min_age, b.birth_date, b.age_at_admission, b.age_admit_date, b.birth_year,
                                    coalesce(k.index_date, k.admit_date),
                                    CASE WHEN k.index_date IS NULL THEN 'admission' ELSE 'the index' END)) AS not_eligible,
               coalesce(k.exclusion, x.exclusion) AS exclusion)
    FROM measure_steps AS k
    LEFT JOIN measure_births AS b USING (participant_id)
    LEFT JOIN dx_excluded AS x USING (measure_id, episode_id)
),
judged AS (
    SELECT r.rate_id, r.position AS rate_position, k.*,
           coalesce(k.window_closes <= getvariable('as_of'), FALSE) AS window_closed,
           coalesce(CASE r.rule
               WHEN 'below' THEN k.result_value < r.value
               WHEN 'drop' THEN k.result_value <= (1 - r.value) * k.index_value
               WHEN 'scored' THEN k.result_value IS NOT NULL
               WHEN 'none' THEN k.result_value = 0
               WHEN 'reduced_or_none' THEN k.result_value < k.index_value
               WHEN 'each_period' THEN k.result_value = k.index_value
               WHEN 'within' THEN k.result_value <= k.days
               WHEN 'engaged' THEN k.engaged
           END, FALSE) AS met
    FROM checked AS k JOIN measure_rates AS r USING (measure_id)
)
SELECT measure_id, rate_id, rate_position, episode_id, participant_id, admit_date, discharge_date, scored,
       index_date, index_value, window_closes, result_date, result_value, met, dx_source,
       CASE WHEN not_eligible IS NOT NULL THEN 'eligible' WHEN NOT has_index THEN 'index'
            WHEN NOT window_closed THEN 'window' WHEN exclusion IS NOT NULL THEN 'excluded'
            WHEN NOT met THEN 'numerator' ELSE 'met' END AS stopped_at,
       CASE WHEN not_eligible IS NOT NULL THEN not_eligible
            WHEN NOT has_index THEN
                CASE kind WHEN 'score_window' THEN 'no ' || scored || ' above ' || CAST(index_above AS INTEGER) || ' in the stay'
                          WHEN 'use_at_discharge' THEN CASE WHEN index_value IS NULL THEN 'no ' || scored || ' in the stay'
                                                            ELSE 'no use at intake (' || scored || ' ' || CAST(index_value AS INTEGER) || ')' END
                          ELSE 'no attended session' END
            WHEN NOT window_closed THEN
                CASE WHEN kind = 'use_at_discharge' THEN 'not discharged by the data date'
                     ELSE 'window closes ' || strftime(window_closes, '%d %b %Y') END
            WHEN exclusion IS NOT NULL THEN exclusion
            WHEN kind = 'monitoring' THEN CAST(result_value AS INTEGER) || ' of ' || CAST(index_value AS INTEGER) || ' periods with a ' || scored
            WHEN kind = 'first_session' THEN coalesce('first session on day ' || CAST(result_value AS INTEGER), 'no attended session')
            WHEN kind = 'retention' THEN CASE WHEN met THEN 'engaged on day ' || days ELSE 'not engaged on day ' || days END
            WHEN result_value IS NULL THEN CASE WHEN kind = 'use_at_discharge' THEN 'no ' || scored || ' after intake'
                                                ELSE 'no ' || scored || ' in the window' END
            ELSE scored || ' ' || CAST(index_value AS INTEGER) || ' → ' || CAST(result_value AS INTEGER)
       END AS reason
FROM judged;     -- unordered: 600 k rows at 50 k participants; each query orders what it reads
