-- When each load reached the dashboard: a flag can be acted on from the first load after its evidence date.
SELECT DISTINCT loaded_at FROM loads ORDER BY loaded_at;
