-- Every administration in an episode, with its total (valid or not) and band.
SELECT a.assessment_id, a.instrument, a.assessed_on, a.total_score, a.total_valid, a.total_source,
       a.assessed_on - e.admit_date AS day_in_episode, a.treatment_week, b.label AS band
FROM visible_assessments AS a
JOIN visible_episodes AS e USING (episode_id)
LEFT JOIN instrument_bands AS b ON b.instrument = a.instrument AND a.total_score BETWEEN b.band_from AND b.band_to
WHERE a.episode_id = $episode_id
ORDER BY a.instrument, a.assessed_on;
