-- Measures rows -> assessments and their items, by merge.sql.
-- table: assessments
-- key: assessment_id

-- part: duplicate
-- a total-only record of the same total adds nothing to one held with its items
-- (e.g. FHIR's total Observation beside its QuestionnaireResponse)
WHEN ranked.items_answered = 0 AND held.items_answered > 0 AND ranked.supplied_total = held.total_score THEN 'duplicate'

-- part: history
(SELECT CAST(list(struct_pack(item_number, value) ORDER BY item_number) AS VARCHAR)
 FROM assessment_items AS i WHERE i.assessment_id = held.assessment_id) AS items_json,

-- part: before_delete
DELETE FROM assessment_items
WHERE assessment_id IN (SELECT assessment_id FROM merge_plan WHERE outcome = 'updated');

-- part: conflict
format('repeats row {} (same participant, {} and date) with different values', first_row, instrument)

-- part: write
INSERT INTO assessments
    (assessment_id, participant_id, episode_id, instrument, assessed_on, total_score, supplied_total, item_sum,
     items_answered, items_complete, total_mismatch, total_valid, total_source, loinc_code, value_hash, load_id, source_row)
SELECT assessment_id, participant_id, NULL, instrument, assessed_on, total_score, supplied_total, complete_sum,
       items_answered, items_complete, total_mismatch, total_valid, total_source, loinc_total, value_hash,
       getvariable('load_id'), row_number
FROM merge_plan WHERE outcome IN ('loaded', 'updated');

INSERT INTO assessment_items
SELECT assessment_id, item.item_number, item.value
FROM (SELECT assessment_id, unnest(item_values) AS item FROM merge_plan
      WHERE outcome IN ('loaded', 'updated') AND item_values IS NOT NULL);
