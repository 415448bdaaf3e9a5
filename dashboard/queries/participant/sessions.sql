-- Every scheduled session in an episode.
SELECT session_date, start_time, session_type, status, minutes, clinician
FROM visible_sessions WHERE episode_id = $episode_id ORDER BY session_date, start_time;
