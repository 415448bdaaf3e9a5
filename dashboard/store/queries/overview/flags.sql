-- Open flags on the data date, by rule, for the selected episodes, most urgent rules first.
SELECT f.rule_id, f.severity, r.label, count(*) AS flags, count(DISTINCT f.episode_id) AS episodes
FROM visible_flags AS f JOIN flag_rules AS r USING (rule_id)
JOIN scoped_episodes($start, $end, $program, $clinician, $age_group, $dimension, $admitted_in_range, $group_field, $group_value) USING (episode_id)
GROUP BY f.rule_id, f.severity, r.label, r.priority ORDER BY r.priority, flags DESC, f.rule_id;
