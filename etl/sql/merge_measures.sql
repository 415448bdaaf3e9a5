-- Valid staged measures -> assessments and assessment_items, classified as in merge_attendance.sql.
CREATE OR REPLACE TEMP TABLE merge_plan AS
WITH valid AS (SELECT * FROM staged WHERE reason IS NULL),
ranked AS (
    SELECT *,
        first_value(row_number) OVER same_key AS first_row,
        first_value(value_hash) OVER same_key AS first_hash
    FROM valid
    WINDOW same_key AS (PARTITION BY assessment_id ORDER BY row_number)
)
SELECT ranked.*,
    CASE
        WHEN ranked.row_number <> first_row AND ranked.value_hash = first_hash THEN 'duplicate'
        WHEN ranked.row_number <> first_row THEN 'conflict'
        WHEN held.value_hash IS NULL THEN 'loaded'
        WHEN held.value_hash = ranked.value_hash THEN 'duplicate'
        -- a total-only record of the same total adds nothing to one held with its items
        -- (e.g. FHIR's total Observation beside its QuestionnaireResponse)
        WHEN ranked.items_answered = 0 AND held.items_answered > 0 AND ranked.supplied_total = held.total_score THEN 'duplicate'
        ELSE 'updated'
    END AS outcome
FROM ranked
LEFT JOIN assessments AS held USING (assessment_id);

INSERT INTO assessments_history BY NAME
SELECT held.*,
       (SELECT CAST(list(struct_pack(item_number, value) ORDER BY item_number) AS VARCHAR)
        FROM assessment_items AS i WHERE i.assessment_id = held.assessment_id) AS items_json,
       getvariable('load_id') AS replaced_by_load, getvariable('loaded_at') AS replaced_at
FROM assessments AS held
JOIN merge_plan AS plan USING (assessment_id)
WHERE plan.outcome = 'updated';

DELETE FROM assessment_items
WHERE assessment_id IN (SELECT assessment_id FROM merge_plan WHERE outcome = 'updated');

DELETE FROM assessments
WHERE assessment_id IN (SELECT assessment_id FROM merge_plan WHERE outcome = 'updated');

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

CREATE OR REPLACE TEMP TABLE conflicts AS
SELECT row_number,
       format('repeats row {} (same participant, {} and date) with different values', first_row, instrument) AS reason
FROM merge_plan WHERE outcome = 'conflict';
