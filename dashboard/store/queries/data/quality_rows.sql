-- The rows behind the data-quality findings (first 2000 of each).
(SELECT 'supplied totals that differ from the item sum' AS finding, participant_id, instrument AS detail,
        CAST(assessed_on AS VARCHAR) AS date, format('supplied {}, items sum to {}', supplied_total, item_sum) AS note
 FROM visible_assessments WHERE total_mismatch LIMIT 2000)
UNION ALL
(SELECT 'episodes inferred from attendance (no roster row)', participant_id, episode_id, CAST(admit_date AS VARCHAR),
        CASE WHEN is_open THEN 'open' ELSE 'closed ' || CAST(discharge_date AS VARCHAR) END
 FROM visible_episodes WHERE inferred LIMIT 2000)
UNION ALL
(SELECT 'participants with scores but no attendance', p.participant_id, NULL, CAST(p.first_seen AS VARCHAR), NULL
 FROM visible_participants AS p
 WHERE EXISTS (SELECT 1 FROM visible_assessments AS a WHERE a.participant_id = p.participant_id)
   AND NOT EXISTS (SELECT 1 FROM visible_sessions AS s WHERE s.participant_id = p.participant_id) LIMIT 2000)
UNION ALL
(SELECT 'notes from loading (e.g. FHIR answer codes)', NULL, file_name, CAST(row_number AS VARCHAR), note FROM visible_load_notes LIMIT 2000);
