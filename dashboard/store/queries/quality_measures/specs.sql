-- The measure specifications as the marts were built (clinical/quality_measures/*.toml), one row
-- per rate, and whether the roster records a diagnosis group (diagnosis-based eligibility applies).
SELECT s.measure_id, s.position, s.name, s.kind, s.family, s.version, s.sources, s.population, s.adaptation,
       s.without_diagnosis, len(s.diagnosis_groups) > 0 AS by_diagnosis, s.source_file, s.source_sha256,
       r.rate_id, r.position AS rate_position, r.label AS rate_label,
       (SELECT count(diagnosis_group) > 0 FROM visible_episodes) AS diagnosis_recorded
FROM measure_specs AS s JOIN measure_rates AS r USING (measure_id)
ORDER BY s.position, r.position;
