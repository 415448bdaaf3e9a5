-- The expected-response band for an episode's intake stratum, per instrument.
SELECT x.instrument, x.treatment_week, x.p50, x.p80, x.p90, x.available, x.note, x.intake_stratum
FROM visible_outcomes AS po
JOIN expected_response AS x ON x.instrument = po.instrument
 AND x.intake_stratum = coalesce(po.baseline_band, CASE WHEN po.baseline_is_case THEN 'at or above cutoff' ELSE 'below cutoff' END)
WHERE po.episode_id = $episode_id
ORDER BY x.instrument, x.treatment_week;
