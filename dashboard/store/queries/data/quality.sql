-- Data-quality findings: each a count and what it means.
SELECT 'supplied totals that differ from the item sum' AS finding, count(*) AS n FROM visible_assessments WHERE total_mismatch
UNION ALL SELECT 'administrations with items missing (no valid total)', count(*) FROM visible_assessments WHERE NOT total_valid AND total_source <> 'none (subscales)'
UNION ALL SELECT 'episodes inferred from attendance (no roster row)', count(*) FROM visible_episodes WHERE inferred
UNION ALL SELECT 'participants with scores but no attendance', count(*) FROM visible_participants AS p
    WHERE EXISTS (SELECT 1 FROM visible_assessments AS a WHERE a.participant_id = p.participant_id)
      AND NOT EXISTS (SELECT 1 FROM visible_sessions AS s WHERE s.participant_id = p.participant_id)
UNION ALL SELECT 'sessions outside every episode', count(*) FROM visible_sessions WHERE episode_id IS NULL
UNION ALL SELECT 'assessments outside every episode', count(*) FROM visible_assessments WHERE episode_id IS NULL
UNION ALL SELECT 'notes from loading (e.g. FHIR answer codes)', count(*) FROM visible_load_notes;
