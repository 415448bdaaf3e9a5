-- Valid staged attendance rows -> sessions. Classifies each row as loaded (new), updated
-- (same participant, date and session with other values; the old row goes to history),
-- duplicate (same values as a row already held, or repeated within the file), or rejected
-- (a second, different row for the same session in one file).
CREATE OR REPLACE TEMP TABLE merge_plan AS
WITH valid AS (SELECT * EXCLUDE (reason) FROM staged WHERE reason IS NULL),
firsts AS (
    -- the first row of each session in the file (hash aggregation: cheaper than a window sort)
    SELECT participant_id, session_date, session_slot,
           min(row_number) AS first_row, arg_min(value_hash, row_number) AS first_hash
    FROM valid GROUP BY ALL
),
ranked AS (SELECT * FROM valid JOIN firsts USING (participant_id, session_date, session_slot))
SELECT ranked.*,   -- staged's own columns only (stage_attendance.sql keeps what the merge needs)
    CASE
        WHEN ranked.row_number <> first_row AND ranked.value_hash = first_hash THEN 'duplicate'
        WHEN ranked.row_number <> first_row THEN 'conflict'
        WHEN held.value_hash IS NULL THEN 'loaded'
        WHEN held.value_hash = ranked.value_hash THEN 'duplicate'
        ELSE 'updated'
    END AS outcome
FROM ranked
LEFT JOIN sessions AS held USING (participant_id, session_date, session_slot);

INSERT INTO sessions_history BY NAME
SELECT held.*, getvariable('load_id') AS replaced_by_load, getvariable('loaded_at') AS replaced_at
FROM sessions AS held
JOIN merge_plan AS plan USING (participant_id, session_date, session_slot)
WHERE plan.outcome = 'updated';

DELETE FROM sessions USING merge_plan AS plan
WHERE plan.outcome = 'updated' AND sessions.participant_id = plan.participant_id
  AND sessions.session_date = plan.session_date AND sessions.session_slot = plan.session_slot;

-- the status flags as session_flags.sql sets them (the same settings), so it has nothing to redo
INSERT INTO sessions
    (participant_id, episode_id, session_date, start_time, session_type, status, minutes, scheduled_minutes, program,
     clinician, session_id, session_slot, value_hash, load_id, source_row, attended, scheduled, no_show, group_name)
SELECT participant_id, NULL, session_date, start_time, session_type, status, minutes, scheduled_minutes, program,
       clinician, session_id, session_slot, value_hash, getvariable('load_id'), row_number,
       list_contains(setting_list('attendance_attended'), status),
       NOT list_contains(setting_list('attendance_not_scheduled'), status),
       list_contains(setting_list('attendance_no_show'), status), group_name
FROM merge_plan WHERE outcome IN ('loaded', 'updated');

CREATE OR REPLACE TEMP TABLE conflicts AS
SELECT row_number,
       format('repeats row {} (same participant, date and {} session) with different values',
              first_row, session_slot) AS reason
FROM merge_plan WHERE outcome = 'conflict';
