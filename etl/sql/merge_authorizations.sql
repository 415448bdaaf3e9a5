-- Valid staged authorization rows -> authorizations, keyed by participant and authorization id
-- (an extension that keeps its id and changes its end date is an update; the old row goes to
-- history), classified as in merge_attendance.sql.
CREATE OR REPLACE TEMP TABLE merge_plan AS
WITH valid AS (SELECT * FROM staged WHERE reason IS NULL),
ranked AS (
    SELECT *,
        first_value(row_number) OVER same_key AS first_row,
        first_value(value_hash) OVER same_key AS first_hash
    FROM valid
    WINDOW same_key AS (PARTITION BY participant_id, authorization_id ORDER BY row_number)
)
SELECT ranked.*,
    CASE
        WHEN ranked.row_number <> first_row AND ranked.value_hash = first_hash THEN 'duplicate'
        WHEN ranked.row_number <> first_row THEN 'conflict'
        WHEN held.value_hash IS NULL THEN 'loaded'
        WHEN held.value_hash = ranked.value_hash THEN 'duplicate'
        ELSE 'updated'
    END AS outcome
FROM ranked
LEFT JOIN authorizations AS held USING (participant_id, authorization_id);

INSERT INTO authorizations_history BY NAME
SELECT held.*, getvariable('load_id') AS replaced_by_load, getvariable('loaded_at') AS replaced_at
FROM authorizations AS held
JOIN merge_plan AS plan USING (participant_id, authorization_id)
WHERE plan.outcome = 'updated';

DELETE FROM authorizations USING merge_plan AS plan
WHERE plan.outcome = 'updated' AND authorizations.participant_id = plan.participant_id
  AND authorizations.authorization_id = plan.authorization_id;

INSERT INTO authorizations
SELECT participant_id, authorization_id, payer, level_of_care, start_date, end_date, authorized_sessions,
       authorized_hours, value_hash, getvariable('load_id'), row_number
FROM merge_plan WHERE outcome IN ('loaded', 'updated');

CREATE OR REPLACE TEMP TABLE conflicts AS
SELECT row_number,
       format('repeats row {} (same participant and authorization_id) with different values', first_row) AS reason
FROM merge_plan WHERE outcome = 'conflict';
