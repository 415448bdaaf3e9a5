SELECT flag_key, participant_id, episode_id, rule_id, severity, fired_on, instrument, explanation
FROM visible_flags WHERE episode_id = $episode_id
ORDER BY CASE severity WHEN 'red' THEN 0 ELSE 1 END, rule_id;
