-- The care team's list behind the specified count: one row per participant (DMS-E: x assessment
-- period) of one measure's first rate in the measurement period starting $period_start, with its
-- step and why (one measure's: at 50 k participants a period's rows of every measure took 1.6 s).
SELECT m.measure_id, m.rate_id, m.rate_position, m.participant_id, m.episode_id, m.period_start, m.period_end, m.unit_start,
       m.scored, m.index_date, m.index_value, m.window_opens, m.window_closes, m.result_date, m.result_value,
       m.met, m.stopped_at, m.reason, m.dx_source
FROM visible_measure_specified AS m
WHERE m.period_start = CAST($period_start AS DATE) AND m.measure_id = $measure_id AND m.rate_position = 0
ORDER BY m.participant_id, m.unit_start;
