-- Data-quality findings: each a count and what it means.
SELECT 'supplied totals that differ from the item sum' AS finding, count(*) AS n FROM assessments WHERE total_mismatch
UNION ALL SELECT 'administrations with items missing (no valid total)', count(*) FROM assessments WHERE NOT total_valid AND total_source <> 'none (subscales)'
UNION ALL SELECT 'episodes inferred from attendance (no roster row)', count(*) FROM episodes WHERE inferred
UNION ALL SELECT 'participants with scores but no attendance', count(*) FROM participants AS p
    WHERE EXISTS (SELECT 1 FROM assessments AS a WHERE a.participant_id = p.participant_id)
      AND NOT EXISTS (SELECT 1 FROM sessions AS s WHERE s.participant_id = p.participant_id)
UNION ALL SELECT 'sessions outside every episode', count(*) FROM sessions WHERE episode_id IS NULL
UNION ALL SELECT 'assessments outside every episode', count(*) FROM assessments WHERE episode_id IS NULL
UNION ALL SELECT 'notes from loading (e.g. FHIR answer codes)', count(*) FROM load_notes;
