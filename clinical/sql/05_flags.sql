-- scope: participant
-- Plan-review flags for episodes open on the as-of date. Each carries a sentence with its numbers.
-- Thresholds: settings.toml; instrument numbers: instruments.toml; rules: docs/clinical.md.
CREATE OR REPLACE TEMP TABLE open_episodes AS
SELECT e.participant_id, e.episode_id, e.admit_date, coalesce(e.age_group, 'adult') AS age_group,
       getvariable('as_of') - e.admit_date AS days_in_program
FROM episodes AS e
WHERE e.admit_date <= getvariable('as_of') AND (e.discharge_date IS NULL OR e.discharge_date > getvariable('as_of'));


CREATE OR REPLACE TEMP TABLE open_outcomes AS
SELECT po.*, o.admit_date, o.days_in_program, treatment_week(po.latest_date, o.admit_date) AS latest_week
FROM participant_outcomes AS po JOIN open_episodes AS o USING (participant_id, episode_id)
WHERE po.latest_date IS NOT NULL;

CREATE OR REPLACE TEMP TABLE open_sessions AS
SELECT s.*
FROM sessions AS s JOIN open_episodes AS o USING (participant_id, episode_id)
WHERE s.session_date <= getvariable('as_of');

CREATE OR REPLACE TABLE flags AS
WITH latest_administration AS (
    SELECT a.* FROM assessments AS a JOIN open_episodes AS o USING (participant_id, episode_id)
    WHERE a.assessed_on <= getvariable('as_of')
    QUALIFY row_number() OVER (PARTITION BY a.episode_id, a.instrument ORDER BY a.assessed_on DESC) = 1
),
safety_item AS (
    SELECT la.participant_id, la.episode_id, 'safety_item' AS rule_id, la.assessed_on AS fired_on,
           la.instrument,
           format('{} item {} ({}) answered {} on {}', la.instrument, s.item_number, s.description, i.value, day(la.assessed_on)) AS explanation
    FROM latest_administration AS la
    JOIN instrument_safety AS s ON s.instrument = la.instrument AND s.item_number IS NOT NULL
    JOIN assessment_items AS i ON i.assessment_id = la.assessment_id AND i.item_number = s.item_number
    WHERE i.value > s.above
    UNION ALL
    -- a catalogue red flag on a subscale (the BAM's Use > 0): red, but not a safety concern that comes
    -- before every other flag (use early in a substance-use track is expected; a third of a caseload
    -- marked "safety" for it hid the self-harm items among them)
    SELECT la.participant_id, la.episode_id, 'subscale_flag', la.assessed_on, la.instrument,
           format('{} {} subscale {} ({}) on {}', la.instrument, s.subscale, num(sub.score), s.description, day(la.assessed_on))
    FROM latest_administration AS la
    JOIN instrument_safety AS s ON s.instrument = la.instrument AND s.subscale IS NOT NULL
    JOIN assessment_subscales AS sub ON sub.assessment_id = la.assessment_id AND sub.subscale = s.subscale
    WHERE sub.score > s.above
),
reliable_deterioration AS (
    SELECT participant_id, episode_id, 'reliable_deterioration', latest_date, instrument,
           format('{} {} → {}: {} {} since intake; reliable change is {}', instrument, num(baseline_score), num(latest_score),
                  CASE WHEN change > 0 THEN 'up' ELSE 'down' END, num(abs(change)), num(reliable_change_points))
    FROM open_outcomes WHERE reliable_deterioration
),
worsening AS (
    SELECT participant_id, episode_id, 'worsening', latest_date, instrument,
           format('{} {} → {}: up {} since intake, at least {} % of the reliable change ({}); a reliable deterioration is up {}',
                  instrument, num(baseline_score), num(latest_score), num(abs(change)),
                  CAST(round(100 * getvariable('flags_worsening_share')) AS INTEGER), num(reliable_change_points),
                  num(reliable_change_points))
    FROM open_outcomes WHERE worsening_at(change * worse_sign, reliable_change_points)
),
no_improvement AS (
    -- judged on a score taken in treatment week N or later
    SELECT participant_id, episode_id, 'no_improvement', latest_date, instrument,
           format('{} {} → {} in week {}: {} since intake, short of the reliable change of {}; still at or above the cutoff of {}',
                  instrument, num(baseline_score), num(latest_score), latest_week,
                  CASE WHEN change < 0 THEN 'down ' || num(-change) WHEN change > 0 THEN 'up ' || num(change) ELSE 'no change' END,
                  num(reliable_change_points), num(clinical_cutoff))
    FROM open_outcomes
    WHERE no_improvement_at(latest_week, change * worse_sign, reliable_change_points, latest_score, clinical_cutoff, worse_sign)
),
severe_persisting AS (
    SELECT participant_id, episode_id, 'severe_persisting', latest_date, instrument,
           format('{} {} in week {}: still in the severe band ({} or more)', instrument, num(latest_score),
                  latest_week, num(severe_from))
    FROM open_outcomes
    WHERE severe_persisting_at(latest_week, latest_score, severe_from, worse_sign)
),
below_expected AS (
    -- not on track in the latest week judged (04b_expected_recovery.sql: expected recovery for this
    -- intake score and week); at risk is shown as a status, not flagged
    SELECT o.participant_id, o.episode_id, 'below_expected', r.scored_on, o.instrument, r.explanation
    FROM open_outcomes AS o
    JOIN recovery_status AS r ON r.episode_id = o.episode_id AND r.instrument = o.instrument
    WHERE r.status = 'not on track'
      AND r.treatment_week = (SELECT max(treatment_week) FROM recovery_status AS q
                              WHERE q.episode_id = o.episode_id AND q.instrument = o.instrument)
),
attendance_runs AS (
    -- attended sessions and no-shows, newest first (excused absences and cancelled sessions are skipped)
    SELECT *, row_number() OVER (PARTITION BY episode_id ORDER BY session_date DESC, start_time DESC NULLS LAST) AS recency
    FROM open_sessions WHERE attended OR no_show
),
streaks AS (
    SELECT participant_id, episode_id,
           coalesce(min(recency) FILTER (NOT no_show), count(*) + 1) - 1 AS no_shows_in_a_row,
           max(session_date) FILTER (attended) AS last_attended
    FROM attendance_runs GROUP BY ALL
),
consecutive_no_shows AS (
    SELECT s.participant_id, s.episode_id, 'consecutive_no_shows',
           (SELECT max(session_date) FROM attendance_runs AS r WHERE r.episode_id = s.episode_id), NULL,
           format('{} no-shows in a row{}', s.no_shows_in_a_row,
                  CASE WHEN s.last_attended IS NULL THEN '; has not attended yet' ELSE '; last attended ' || day(s.last_attended) END)
    FROM streaks AS s WHERE s.no_shows_in_a_row >= getvariable('flags_consecutive_no_shows')
),
recent AS (
    SELECT participant_id, episode_id, count(*) AS scheduled, count(*) FILTER (attended) AS attended
    FROM open_sessions
    WHERE scheduled AND session_date > getvariable('as_of') - getvariable('flags_low_attendance_days')
    GROUP BY ALL
),
low_attendance AS (
    SELECT participant_id, episode_id, 'low_attendance', getvariable('as_of'), NULL,
           format('attended {} of {} scheduled sessions ({} %) in the last {} days; the standard is {} %', attended, scheduled,
                  CAST(round(100.0 * attended / scheduled) AS INTEGER), getvariable('flags_low_attendance_days'),
                  CAST(round(100 * getvariable('flags_low_attendance_share')) AS INTEGER))
    FROM recent
    WHERE scheduled >= getvariable('flags_low_attendance_min_scheduled')
      AND attended < getvariable('flags_low_attendance_share') * scheduled
),
disengaged AS (
    SELECT o.participant_id, o.episode_id, 'disengaged',
           coalesce(a.last_attended, o.admit_date) + getvariable('flags_disengaged_days'), NULL,
           CASE WHEN a.last_attended IS NULL
                THEN format('no attended session in the {} days since admission on {}', o.days_in_program, day(o.admit_date))
                ELSE format('no attended session for {} days (last attended {})', getvariable('as_of') - a.last_attended, day(a.last_attended))
           END
    FROM open_episodes AS o
    LEFT JOIN (SELECT episode_id, max(session_date) AS last_attended FROM open_sessions WHERE attended GROUP BY ALL) AS a USING (episode_id)
    WHERE getvariable('as_of') - coalesce(a.last_attended, o.admit_date) >= getvariable('flags_disengaged_days')
),
below_asam_hours AS (
    -- the last full Monday-to-Sunday week before the as-of date
    SELECT w.participant_id, w.episode_id, 'below_asam_hours', w.week_start + 6, NULL,
           format('{} h attended in the week of {}; the ASAM level 2.1 minimum is {} h for {}', num(w.hours_attended),
                  day(w.week_start), num(w.asam_min_hours), CASE WHEN o.age_group = 'adolescent' THEN 'adolescents' ELSE 'adults' END)
    FROM attendance_weekly AS w JOIN open_episodes AS o USING (participant_id, episode_id)
    WHERE w.week_start = CAST(date_trunc('week', getvariable('as_of') + 1) AS DATE) - 7 AND w.full_week AND w.below_asam
),
measure_overdue AS (      -- the primary instrument's cadence (measures_due, 04c_measures_due.sql)
    SELECT d.participant_id, d.episode_id, 'measure_overdue',
           d.due_on + getvariable('measurement_overdue_grace_days') + 1, d.instrument,
           CASE WHEN d.last_on IS NULL
                THEN format('no {} since admission {} days ago', d.instrument, getvariable('as_of') - d.admit_date)
                ELSE format('no {} for {} days (last {}; due every {} days)', d.instrument, getvariable('as_of') - d.last_on,
                            day(d.last_on), d.every_days)
           END
    FROM measures_due AS d
    WHERE d.status = 'overdue' AND d.instrument = getvariable('flags_measure_overdue_instrument')
),
final AS (
    SELECT * FROM safety_item
    UNION ALL SELECT * FROM reliable_deterioration
    UNION ALL SELECT * FROM worsening
    UNION ALL SELECT * FROM no_improvement
    UNION ALL SELECT * FROM severe_persisting
    UNION ALL SELECT * FROM below_expected
    UNION ALL SELECT * FROM consecutive_no_shows
    UNION ALL SELECT * FROM low_attendance
    UNION ALL SELECT * FROM disengaged
    UNION ALL SELECT * FROM below_asam_hours
    UNION ALL SELECT * FROM measure_overdue
)
-- severity, label and priority from the one list of rules (flags.toml, stored as flag_rules)
SELECT f.participant_id, f.episode_id, f.rule_id, r.severity, f.fired_on, f.instrument, f.explanation,
       getvariable('as_of') AS as_of,
       md5(concat_ws('|', f.episode_id, f.rule_id, coalesce(f.instrument, ''))) AS flag_key,  -- stable across rebuilds
       r.label || coalesce(' (' || f.instrument || ')', '') AS label,
       r.priority    -- 0 safety, 1 red, 2 amber: the order every list shows flags in
FROM final AS f JOIN flag_rules AS r USING (rule_id)
ORDER BY r.priority, f.participant_id, r.position, f.instrument;
