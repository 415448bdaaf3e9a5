-- Every open flag (flags are computed for open episodes only), most urgent first.
SELECT flag_key, participant_id, episode_id, rule_id, severity, fired_on, instrument, explanation, label, priority
FROM visible_flags
ORDER BY priority, participant_id, label;
