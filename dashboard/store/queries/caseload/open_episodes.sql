-- Open episodes on the data date, with attendance in the last low_attendance_days days (settings)
-- and hours in the last full week against the ASAM minimum. Optional filters: $clinician,
-- $program (NULL = all).
WITH info AS (SELECT data_as_of AS as_of, CAST(date_trunc('week', data_as_of + 1) AS DATE) - 7 AS last_week,
                     CAST(setting_number('flags_low_attendance_days') AS INTEGER) AS recent_days
              FROM dataset_info),
recent AS (
    SELECT s.episode_id, count(*) FILTER (s.scheduled) AS scheduled_recent, count(*) FILTER (s.attended) AS attended_recent
    FROM visible_sessions AS s, info
    WHERE s.session_date > info.as_of - info.recent_days AND s.session_date <= info.as_of
    GROUP BY ALL
)
SELECT e.participant_id, e.episode_id, e.program AS track, e.primary_clinician AS clinician, e.admit_date,
       e.inferred, coalesce(e.age_group, 'adult') AS age_group,
       treatment_week(info.as_of, e.admit_date) AS week_in_program,
       info.recent_days, coalesce(r.scheduled_recent, 0) AS scheduled_recent, coalesce(r.attended_recent, 0) AS attended_recent,
       w.hours_attended AS hours_last_week, w.asam_min_hours, w.below_asam, info.last_week AS last_week_start
FROM visible_episodes AS e
CROSS JOIN info
LEFT JOIN recent AS r USING (episode_id)
LEFT JOIN visible_attendance_weekly AS w ON w.episode_id = e.episode_id AND w.week_start = info.last_week
WHERE e.admit_date <= info.as_of AND (e.discharge_date IS NULL OR e.discharge_date > info.as_of)
  AND ($clinician IS NULL OR e.primary_clinician = $clinician)
  AND ($program IS NULL OR e.program = $program)
ORDER BY e.participant_id;
