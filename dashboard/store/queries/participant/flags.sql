SELECT flag_key, participant_id, episode_id, rule_id, severity, fired_on, instrument, explanation, label, priority
FROM visible_flags WHERE episode_id = $episode_id
ORDER BY priority, label;
