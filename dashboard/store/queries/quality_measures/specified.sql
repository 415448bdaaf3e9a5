-- The quality measures as their specifications count them (mart measure_specified): rows of the
-- measurement period starting $period_start counted by measure, rate, the step each stopped at, why
-- (for exclusions) and where its diagnoses came from: every count of the submission table adds up from these.
SELECT m.measure_id, m.rate_id, m.rate_position, m.stopped_at,
       CASE WHEN m.stopped_at = 'excluded' THEN m.reason END AS reason, m.dx_source, count(*) AS units
FROM visible_measure_specified AS m
WHERE m.period_start = CAST($period_start AS DATE)
GROUP BY ALL
ORDER BY ALL;
