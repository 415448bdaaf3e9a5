SELECT week_start, week_in_program, sessions_scheduled, sessions_attended, hours_attended, asam_min_hours,
       full_week, below_asam
FROM visible_attendance_weekly WHERE episode_id = $episode_id ORDER BY week_start;
