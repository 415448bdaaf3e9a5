-- The care team's list behind the specified count: one row per measure x rate x participant (DMS-E:
-- x assessment period) of the measurement period starting $period_start, with its step and why.
SELECT m.measure_id, m.rate_id, m.rate_position, m.participant_id, m.episode_id, m.period_start, m.period_end, m.unit_start,
       m.scored, m.index_date, m.index_value, m.window_opens, m.window_closes, m.result_date, m.result_value,
       m.met, m.stopped_at, m.reason, m.dx_source
FROM visible_measure_specified AS m
WHERE m.period_start = CAST($period_start AS DATE)
ORDER BY m.measure_id, m.rate_position, m.participant_id, m.unit_start;
