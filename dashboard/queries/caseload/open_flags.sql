-- Every open flag (flags are computed for open episodes only).
SELECT flag_key, participant_id, episode_id, rule_id, severity, fired_on, instrument, explanation
FROM visible_flags
ORDER BY CASE severity WHEN 'red' THEN 0 ELSE 1 END, participant_id, rule_id;
