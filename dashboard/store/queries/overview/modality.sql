-- Attended hours by session type in the range, and family involvement.
SELECT s.session_type, round(sum(s.minutes) / 60.0, 1) AS hours, count(*) AS sessions,
       count(DISTINCT s.episode_id) AS episodes
FROM visible_sessions AS s JOIN scoped_episodes($start, $end, $program, $clinician, $age_group, $dimension, $admitted_in_range, $group_field, $group_value) USING (episode_id)
WHERE s.attended AND s.session_date BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)
GROUP BY ALL ORDER BY hours DESC;
