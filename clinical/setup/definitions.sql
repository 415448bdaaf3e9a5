-- The definitions every query shares, stored in the database (persistent macros and the settings
-- table the build wrote), so the marts, the dashboard's queries and a quality team's own SQL read
-- one formula and one threshold each.

-- The shape of these definitions: raised whenever a definition is added or changed, so a
-- database built before is rebuilt (build.prepared) and the dashboard asks for a rebuild.
CREATE OR REPLACE MACRO definitions_version() AS 11;

-- Treatment week of a date in an episode: the admission day is in week 1 (days 0-6), days 7-13 are
-- week 2, and days before admission are week 0 or earlier. The only week formula: flags, expected
-- response, charts, headers and explanations all use it (docs/clinical.md).
CREATE OR REPLACE MACRO treatment_week(day, admit_date) AS
    CAST(floor(datediff('day', CAST(admit_date AS DATE), CAST(day AS DATE)) / 7) AS INTEGER) + 1;

-- Full years from born to on_day (an age): a birthday not yet reached that year does not count, and
-- a 29 February birthday is reached on 1 March in other years (as CQL's AgeInYearsAt counts). The
-- loader's roster checks and the quality measures' ages (clinical/sql/11_measure_inputs.sql) use it.
-- (dayofmonth, not day: the marts define a day() macro that writes a date as text.)
CREATE OR REPLACE MACRO full_years(born, on_day) AS
    year(on_day) - year(born) - (month(on_day) * 100 + dayofmonth(on_day) < month(born) * 100 + dayofmonth(born))::INTEGER;

-- A setting as the build used it: setting_number('flags_low_attendance_days'), setting_text(...),
-- setting_list('attendance_attended').
CREATE OR REPLACE MACRO setting_number(setting_name) AS
    (SELECT s.number FROM settings AS s WHERE s.name = setting_name);
CREATE OR REPLACE MACRO setting_text(setting_name) AS
    (SELECT s.text FROM settings AS s WHERE s.name = setting_name);
CREATE OR REPLACE MACRO setting_list(setting_name) AS
    (SELECT s.list FROM settings AS s WHERE s.name = setting_name);

-- What a session's status means, from the attendance settings: the one definition the loader's
-- checks (etl/sql/stage_attendance.sql), the rows it writes (merge_attendance.sql) and every build
-- (session_flags.sql) apply. Attended minutes are the minutes given for a status that counts as
-- attended, else 0; a status that does not count keeps the minutes given as its scheduled length.
CREATE OR REPLACE MACRO session_attended(session_status) AS
    list_contains(setting_list('attendance_attended'), session_status);
CREATE OR REPLACE MACRO session_scheduled(session_status) AS
    NOT list_contains(setting_list('attendance_not_scheduled'), session_status);
CREATE OR REPLACE MACRO session_no_show(session_status) AS
    list_contains(setting_list('attendance_no_show'), session_status);
CREATE OR REPLACE MACRO attended_minutes(session_status, minutes_given) AS
    CASE WHEN session_attended(session_status) THEN minutes_given ELSE 0 END;
CREATE OR REPLACE MACRO scheduled_length(session_status, minutes_given) AS
    CASE WHEN NOT session_attended(session_status) AND minutes_given > 0 THEN minutes_given END;

-- Is an episode of this track expected to take this instrument (the measurement plan in the
-- settings: a row for the track, or for "*" = every track)? An instrument the plan does not list
-- is expected of every episode.
CREATE OR REPLACE MACRO takes_instrument(track_name, instrument_code) AS
    NOT EXISTS (SELECT 1 FROM measurement_plan AS p WHERE p.instrument = instrument_code)
    OR EXISTS (SELECT 1 FROM measurement_plan AS p
               WHERE p.instrument = instrument_code AND (p.track = '*' OR p.track = track_name));

-- The group a session belongs to, for the "Today's groups" huddle: its name when the attendance
-- export gives one; else a group session is its track's group at its start time ("Trauma group
-- at 09:00"); NULL for a session that is not in a group.
CREATE OR REPLACE MACRO group_label(group_name, session_type, program, start_time, site) AS
    CASE WHEN group_name IS NOT NULL THEN group_name
         WHEN session_type = 'group'
             THEN coalesce(program || ' ', '') || 'group' || coalesce(' at ' || substr(CAST(start_time AS VARCHAR), 1, 5), '')
    END || coalesce(' · ' || site, '');   -- each site runs its own groups

-- The plan-review rules on one score against the episode's intake score (docs/clinical.md, "Flags"),
-- with worsening = (score - intake) * worse_sign (positive: worse). The live flags (sql/05_flags.sql),
-- the outcomes (02_participant_outcomes.sql) and the alert check (setup/validation.sql, which judges
-- every signal week by week) read these, so a rule means the same wherever it is counted.
CREATE OR REPLACE MACRO reliably_worse(worsening, rc_points) AS worsening >= rc_points;
-- The improvement from intake as a share of the intake score (0.2 = 20 % better; negative: worse); an
-- intake of 0 counts as 1 so that the share stays finite.
CREATE OR REPLACE MACRO improvement_share(score, intake, worse_sign) AS
    (intake - score) * worse_sign / greatest(abs(intake), 1);
-- The one-line alert a program may choose instead of the expected range (expected_response.alert_rule
-- = 'percent_change'): from first_week, a score improved less than percent_change_min_improvement from intake.
CREATE OR REPLACE MACRO short_of_percent_change(score, intake, worse_sign) AS
    improvement_share(score, intake, worse_sign) < getvariable('expected_response_percent_change_min_improvement');
CREATE OR REPLACE MACRO reliably_better(worsening, rc_points) AS worsening <= -rc_points;
-- Worse than intake by flags.worsening_share of the reliable change or more, short of a reliable
-- deterioration: the early warning of one (docs/clinical.md, "How well our alerts work").
CREATE OR REPLACE MACRO worsening_at(worsening, rc_points) AS
    worsening >= getvariable('flags_worsening_share') * rc_points AND NOT reliably_worse(worsening, rc_points);
CREATE OR REPLACE MACRO no_improvement_at(week, worsening, rc_points, score, cutoff, worse_sign) AS
    NOT reliably_better(worsening, rc_points) AND NOT reliably_worse(worsening, rc_points)
    AND (score - cutoff) * worse_sign >= 0 AND week >= getvariable('flags_no_improvement_week');
CREATE OR REPLACE MACRO severe_persisting_at(week, score, severe_from, worse_sign) AS
    severe_from IS NOT NULL AND (score - severe_from) * worse_sign >= 0
    AND week >= getvariable('flags_severe_persisting_week');
