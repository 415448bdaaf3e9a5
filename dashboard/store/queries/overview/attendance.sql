-- Per week in the range: attendance rate and hours per participant against the ASAM minimum
-- (whole weeks inside an episode only).
SELECT w.week_start,
       sum(w.sessions_scheduled) AS scheduled, sum(w.sessions_attended) AS attended,
       count(*) FILTER (w.full_week) AS participant_weeks,
       avg(w.hours_attended) FILTER (w.full_week) AS mean_hours,
       avg(w.asam_min_hours) FILTER (w.full_week) AS mean_asam_min,
       count(*) FILTER (w.below_asam) AS weeks_below_asam
FROM visible_attendance_weekly AS w JOIN scoped_episodes($start, $end, $program, $clinician, $age_group, $dimension, $admitted_in_range, $group_field, $group_value) USING (episode_id)
WHERE w.week_start BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)
GROUP BY ALL ORDER BY 1;
