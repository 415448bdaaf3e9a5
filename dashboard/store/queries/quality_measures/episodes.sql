-- Each selected episode's steps through every quality measure (mart measure_episodes), or through
-- $measure alone, with its cohort along $dimension, track and clinician (the care team's lists).
SELECT m.measure_id, m.rate_id, m.rate_position, m.episode_id, m.participant_id, m.admit_date, m.discharge_date,
       e.program, e.primary_clinician, m.scored, m.index_date, m.index_value, m.window_closes, m.result_date,
       m.result_value, m.met, m.stopped_at, m.reason, e.cohort
FROM visible_measure_episodes AS m
JOIN scoped_episodes($start, $end, $program, $clinician, $age_group, $dimension, TRUE, $group_field, $group_value) AS e
  USING (episode_id)
WHERE $measure IS NULL OR m.measure_id = $measure
ORDER BY m.measure_id, m.rate_position, e.cohort, m.admit_date, m.episode_id;
