-- Clinicians and tracks that have open episodes.
SELECT DISTINCT primary_clinician AS clinician, program AS track
FROM visible_episodes WHERE is_open ORDER BY 1, 2;
