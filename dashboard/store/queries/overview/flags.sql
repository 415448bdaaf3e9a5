-- The flags firing on the data date for the selected episodes, one row each, with their rule's label
-- (one per rule, not per instrument): the view counts those still open once acknowledgements and
-- snoozes (the application state) are applied.
SELECT f.flag_key, f.participant_id, f.episode_id, f.rule_id, f.severity, f.label AS flag_label,
       r.label AS rule_label, r.priority AS rule_priority, f.priority, f.fired_on
FROM visible_flags AS f JOIN flag_rules AS r USING (rule_id)
JOIN scoped_episodes($start, $end, $program, $clinician, $age_group, $dimension, $admitted_in_range, $group_field, $group_value) USING (episode_id);
