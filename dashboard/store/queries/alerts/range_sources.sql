-- Where each measure's expected ranges come from at the last build (expected_recovery): the program's
-- own completed episodes, the published recovery curves while they are too few, or none. Counts of
-- episodes only: no participant is named.
SELECT instrument, any_value(range_source) AS range_source, any_value(completed_episodes) AS completed_episodes,
       setting_number('expected_response_min_completed_episodes') AS needed
FROM expected_recovery
WHERE getvariable('scope_clinician') IS NULL
GROUP BY ALL
ORDER BY instrument;
