-- Run on every read-only connection the dashboard opens (dashboard/store/db.py), after
-- SET VARIABLE scope_clinician, scope_sites and scope_whole: what this request may see. Every query reads the visible_* views,
-- never the tables, so a clinician's caseload scoping cannot be forgotten by a query
-- (tests/test_data_layer.py checks that no query names a table of identified data directly).

-- The queries need the stored definitions of version 11 or later (clinical/setup/definitions.sql;
-- 3 added the alert_performance mart, 4 authorization_use, group_sizes and the follow-up marts, 5 the
-- quality measures' measure_episodes, 11 the sites: episodes.site and group labels by site); an
-- older database fails here, and
-- dashboard/store/db.py asks for a rebuild.
SELECT CASE WHEN definitions_version() < 11 THEN error('definitions_version') END;
CREATE OR REPLACE TEMP VIEW visible_episodes AS
SELECT * FROM episodes
WHERE (getvariable('scope_clinician') IS NULL OR primary_clinician = getvariable('scope_clinician'))
  AND (getvariable('scope_sites') IS NULL OR list_contains(getvariable('scope_sites'), site));
-- Sessions and assessments are two branches, one per kind of scope, so that the planner drops the one
-- that does not apply: as `scope_clinician IS NULL OR episode_id IN (...)`, the whole program's queries
-- still joined every row against the caseload (a third of some cohort queries' time at 50 k participants).
CREATE OR REPLACE TEMP VIEW visible_sessions AS
SELECT s.* FROM sessions AS s WHERE getvariable('scope_whole')
UNION ALL
SELECT s.* FROM sessions AS s WHERE NOT getvariable('scope_whole') AND s.episode_id IN (SELECT episode_id FROM visible_episodes);
CREATE OR REPLACE TEMP VIEW visible_assessments AS
SELECT a.* FROM assessments AS a WHERE getvariable('scope_whole')
UNION ALL
SELECT a.* FROM assessments AS a WHERE NOT getvariable('scope_whole') AND a.episode_id IN (SELECT episode_id FROM visible_episodes);
CREATE OR REPLACE TEMP VIEW visible_assessment_items AS
SELECT i.* FROM assessment_items AS i WHERE i.assessment_id IN (SELECT assessment_id FROM visible_assessments);
CREATE OR REPLACE TEMP VIEW visible_outcomes AS
SELECT o.* FROM participant_outcomes AS o WHERE o.episode_id IN (SELECT episode_id FROM visible_episodes);
CREATE OR REPLACE TEMP VIEW visible_follow_up_outcomes AS
SELECT f.* FROM follow_up_outcomes AS f WHERE f.episode_id IN (SELECT episode_id FROM visible_episodes);
CREATE OR REPLACE TEMP VIEW visible_follow_up_scores AS
SELECT f.* FROM follow_up_scores AS f WHERE f.episode_id IN (SELECT episode_id FROM visible_episodes);
CREATE OR REPLACE TEMP VIEW visible_threshold_outcomes AS
SELECT t.* FROM threshold_outcomes AS t WHERE t.episode_id IN (SELECT episode_id FROM visible_episodes);
CREATE OR REPLACE TEMP VIEW visible_flags AS
SELECT f.* FROM flags AS f WHERE f.episode_id IN (SELECT episode_id FROM visible_episodes);
CREATE OR REPLACE TEMP VIEW visible_week_scores AS
SELECT w.* FROM episode_week_scores AS w WHERE w.episode_id IN (SELECT episode_id FROM visible_episodes);
CREATE OR REPLACE TEMP VIEW visible_recovery_status AS
SELECT r.* FROM recovery_status AS r WHERE r.episode_id IN (SELECT episode_id FROM visible_episodes);
CREATE OR REPLACE TEMP VIEW visible_measures_due AS
SELECT d.* FROM measures_due AS d WHERE d.episode_id IN (SELECT episode_id FROM visible_episodes);
CREATE OR REPLACE TEMP VIEW visible_authorization_use AS
SELECT a.* FROM authorization_use AS a WHERE a.episode_id IN (SELECT episode_id FROM visible_episodes);
CREATE OR REPLACE TEMP VIEW visible_measure_episodes AS
SELECT m.* FROM measure_episodes AS m WHERE m.episode_id IN (SELECT episode_id FROM visible_episodes);
-- the specified count is per participant and period (an index may fall outside any episode)
CREATE OR REPLACE TEMP VIEW visible_measure_specified AS
SELECT m.* FROM measure_specified AS m
WHERE getvariable('scope_whole') OR m.participant_id IN (SELECT participant_id FROM visible_episodes);
CREATE OR REPLACE TEMP VIEW visible_attendance_weekly AS
SELECT w.* FROM attendance_weekly AS w WHERE w.episode_id IN (SELECT episode_id FROM visible_episodes);
CREATE OR REPLACE TEMP VIEW visible_participants AS
SELECT p.* FROM participants AS p
WHERE getvariable('scope_whole') OR p.participant_id IN (SELECT participant_id FROM visible_episodes);
-- rejected and raw rows, and load notes, hold identified rows as read: whole-program access only
CREATE OR REPLACE TEMP VIEW visible_rejects AS SELECT * FROM rejects WHERE getvariable('scope_whole');
CREATE OR REPLACE TEMP VIEW visible_load_notes AS SELECT * FROM load_notes WHERE getvariable('scope_whole');

-- The episodes a selection covers: in the date range (overlapping it, for the overview; admitted
-- in it, for cohorts), of a track, clinician and age group, and with an equity field's value
-- (group_field, group_value: episode_groups; NULL = all), each with a cohort label along `dimension`
-- (month, quarter, track, clinician, age group, an equity field; 'episode': a cohort of its own for
-- each episode, so that the cohort page reads a selection once and groups it any way without reading
-- it again, dashboard/views/cohorts.py).
-- A month or quarter the date range cuts is labelled as the part of it the selection holds, e.g.
-- "2025 Q4 (part: 21 Nov–31 Dec)": its rate is not the whole quarter's (the measures' trend, the
-- quality role's releases), and the label says so wherever it is read.
CREATE OR REPLACE TEMP MACRO part_of_period(period_start, length, range_start, range_end, admitted_in_range) AS
    CASE WHEN admitted_in_range AND (period_start < CAST(range_start AS DATE)
                                     OR CAST(period_start + length - INTERVAL 1 DAY AS DATE) > CAST(range_end AS DATE))
         THEN ' (part: ' || strftime(greatest(period_start, CAST(range_start AS DATE)), '%d %b') || '–'
              || strftime(least(CAST(period_start + length - INTERVAL 1 DAY AS DATE), CAST(range_end AS DATE)), '%d %b') || ')'
         ELSE '' END;

CREATE OR REPLACE TEMP MACRO scoped_episodes(range_start, range_end, program_is, clinician_is, age_group_is,
                                             dimension, admitted_in_range, group_field, group_value) AS TABLE
SELECT e.*,
       coalesce(e.age_group, 'not recorded') AS age_band,
       CASE dimension
           WHEN 'month' THEN strftime(e.admit_date, '%Y-%m')
                || part_of_period(date_trunc('month', e.admit_date), INTERVAL 1 MONTH, range_start, range_end, admitted_in_range)
           WHEN 'quarter' THEN CAST(year(e.admit_date) AS VARCHAR) || ' Q' || CAST(quarter(e.admit_date) AS VARCHAR)
                || part_of_period(date_trunc('quarter', e.admit_date), INTERVAL 3 MONTH, range_start, range_end, admitted_in_range)
           WHEN 'track' THEN coalesce(e.program, 'not recorded')
           WHEN 'clinician' THEN coalesce(e.primary_clinician, 'not recorded')
           WHEN 'age group' THEN coalesce(e.age_group, 'not recorded')
           WHEN 'episode' THEN e.episode_id
           ELSE g.value                    -- an equity field (episode_groups)
       END AS cohort,
       least(coalesce(e.discharge_date, d.data_as_of), d.data_as_of) AS observed_to,
       d.data_as_of
FROM visible_episodes AS e
CROSS JOIN dataset_info AS d
LEFT JOIN episode_groups AS g ON g.episode_id = e.episode_id AND g.field = dimension
WHERE e.admit_date <= CAST(range_end AS DATE)
  AND CASE WHEN admitted_in_range THEN e.admit_date >= CAST(range_start AS DATE)
           ELSE coalesce(e.discharge_date, DATE '9999-12-31') >= CAST(range_start AS DATE) END
  AND (program_is IS NULL OR e.program = program_is)
  AND (clinician_is IS NULL OR e.primary_clinician = clinician_is)
  AND (age_group_is IS NULL OR coalesce(e.age_group, 'not recorded') = age_group_is)
  AND (group_field IS NULL OR e.episode_id IN (SELECT p.episode_id FROM episode_groups AS p
                                               WHERE p.field = group_field AND p.value = group_value));
