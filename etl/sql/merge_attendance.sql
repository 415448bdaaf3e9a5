-- Valid staged attendance rows -> sessions. Classifies each row as loaded (new), updated
-- (same participant, date and session with other values; the old row goes to history),
-- duplicate (same values as a row already held, or repeated within the file), or rejected
-- (a second, different row for the same session in one file).
CREATE OR REPLACE TEMP TABLE merge_plan AS
WITH valid AS (SELECT * FROM staged WHERE reason IS NULL),
ranked AS (
    SELECT *,
        first_value(row_number) OVER same_key  AS first_row,
        first_value(value_hash) OVER same_key  AS first_hash
    FROM valid
    WINDOW same_key AS (PARTITION BY participant_id, session_date, session_slot ORDER BY row_number)
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
LEFT JOIN sessions AS held USING (participant_id, session_date, session_slot);

INSERT INTO sessions_history
SELECT held.*, getvariable('load_id'), getvariable('loaded_at')
FROM sessions AS held
JOIN merge_plan AS plan USING (participant_id, session_date, session_slot)
WHERE plan.outcome = 'updated';

INSERT OR REPLACE INTO sessions
    (participant_id, episode_id, session_date, start_time, session_type, status, minutes, program, clinician,
     session_id, session_slot, value_hash, load_id, source_row)
SELECT participant_id, NULL, session_date, start_time, session_type, status, minutes, program, clinician,
       session_id, session_slot, value_hash, getvariable('load_id'), row_number
FROM merge_plan WHERE outcome IN ('loaded', 'updated');

CREATE OR REPLACE TEMP TABLE conflicts AS
SELECT row_number, raw_row,
       format('repeats row {} (same participant, date and {} session) with different values',
              first_row, session_slot) AS reason
FROM merge_plan WHERE outcome = 'conflict';
