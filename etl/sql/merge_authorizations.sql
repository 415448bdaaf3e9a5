-- Authorization rows -> authorizations, by merge.sql, keyed by participant and authorization id (an
-- extension that keeps its id and changes its end date is an update; the old row goes to history).
-- table: authorizations
-- key: participant_id, authorization_id

-- part: conflict
format('repeats row {} (same participant and authorization_id) with different values', first_row)

-- part: write
INSERT INTO authorizations
SELECT participant_id, authorization_id, payer, level_of_care, start_date, end_date, authorized_sessions,
       authorized_hours, value_hash, getvariable('load_id'), row_number
FROM merge_plan WHERE outcome IN ('loaded', 'updated');
