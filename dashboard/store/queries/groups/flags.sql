-- The open flags (on the data date) of the members of $day's groups this request may see.
SELECT f.* FROM visible_flags AS f
WHERE f.episode_id IN (SELECT s.episode_id FROM visible_sessions AS s
                       WHERE s.session_date = $day
                         AND group_label(s.group_name, s.session_type, s.program, s.start_time, s.site) IS NOT NULL)
ORDER BY f.episode_id, f.rule_id;
