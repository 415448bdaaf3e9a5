SELECT po.*, c.name AS instrument_name, c.total_min, c.total_max
FROM visible_outcomes AS po JOIN instrument_catalogue AS c USING (instrument)
WHERE po.episode_id = $episode_id ORDER BY po.instrument;
