-- scope: participant
-- One row per episode x calendar week (Monday to Sunday) from admission to discharge or the
-- as-of date: sessions scheduled and attended (the sessions' own flags, from the attendance
-- settings), hours against the ASAM level 2.1 minimum (9 h adults, 6 h adolescents [31]). Only
-- whole weeks inside the episode are judged (below_asam is NULL for the partial first and last
-- weeks). week_in_program is the treatment week the calendar week ends in (definitions.sql).
CREATE OR REPLACE TABLE attendance_weekly AS
WITH spans AS (
    SELECT participant_id, episode_id, admit_date,
           least(coalesce(discharge_date, getvariable('as_of')), getvariable('as_of')) AS last_day,
           coalesce(age_group, 'adult') AS age_group
    FROM episodes WHERE admit_date <= getvariable('as_of')
),
weeks AS (
    SELECT spans.*, CAST(unnest(generate_series(date_trunc('week', admit_date), date_trunc('week', last_day), INTERVAL 7 DAY)) AS DATE) AS week_start
    FROM spans
),
sessions_by_week AS (
    SELECT episode_id, CAST(date_trunc('week', session_date) AS DATE) AS week_start,
           count(*) FILTER (scheduled) AS sessions_scheduled,
           count(*) FILTER (attended) AS sessions_attended,
           sum(minutes) / 60.0 AS hours_attended
    FROM sessions WHERE episode_id IS NOT NULL AND session_date <= getvariable('as_of')
    GROUP BY ALL
)
SELECT w.participant_id, w.episode_id, w.week_start,
       treatment_week(least(w.week_start + 6, w.last_day), w.admit_date) AS week_in_program,
       coalesce(s.sessions_scheduled, 0) AS sessions_scheduled,
       coalesce(s.sessions_attended, 0) AS sessions_attended,
       round(coalesce(s.hours_attended, 0), 2) AS hours_attended,
       CASE WHEN w.age_group = 'adolescent' THEN getvariable('flags_asam_adolescent_hours')
            ELSE getvariable('flags_asam_adult_hours') END AS asam_min_hours,
       w.week_start >= w.admit_date AND w.week_start + 6 <= w.last_day AS full_week,
       CASE WHEN w.week_start >= w.admit_date AND w.week_start + 6 <= w.last_day
            THEN coalesce(s.hours_attended, 0) < asam_min_hours END AS below_asam
FROM weeks AS w
LEFT JOIN sessions_by_week AS s USING (episode_id, week_start)
ORDER BY w.participant_id, w.episode_id, w.week_start;
