-- The order a case review reads instruments in, for an episode's track ($track): the program's
-- primary instrument (settings), then those the track is expected to take (measurement plan), then the rest.
SELECT c.instrument, c.name,
       CASE WHEN c.instrument = setting_text('flags_measure_overdue_instrument') THEN 0
            WHEN EXISTS (SELECT 1 FROM measurement_plan AS p
                         WHERE p.instrument = c.instrument AND (p.track = '*' OR p.track = $track)) THEN 1
            ELSE 2 END AS reading_order
FROM instrument_catalogue AS c
ORDER BY reading_order, c.instrument;
