-- Open flags on the data date, by rule and severity, for the selected episodes.
SELECT f.rule_id, f.severity, count(*) AS flags, count(DISTINCT f.episode_id) AS episodes
FROM visible_flags AS f JOIN scoped_episodes($start, $end, $program, $clinician, $age_group, $dimension, $admitted_in_range, $group_field, $group_value) USING (episode_id)
GROUP BY f.rule_id, f.severity ORDER BY CASE f.severity WHEN 'red' THEN 0 ELSE 1 END, flags DESC, f.rule_id;
