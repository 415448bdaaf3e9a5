-- Every scheduled session in an episode; attended and scheduled as the attendance settings count them.
SELECT session_date, start_time, session_type, status, minutes, clinician, attended, scheduled
FROM visible_sessions WHERE episode_id = $episode_id ORDER BY session_date, start_time;
