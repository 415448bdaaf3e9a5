-- Attendance rows -> sessions, by merge.sql.
-- table: sessions
-- key: participant_id, session_date, session_slot

-- part: conflict
format('repeats row {} (same participant, date and {} session) with different values', first_row, session_slot)

-- part: write
-- each row's meaning by the engine's definitions (definitions.sql session_* macros), as the build's
-- session_flags.sql applies them, so it has nothing to redo for these rows
INSERT INTO sessions
    (participant_id, episode_id, session_date, start_time, session_type, status, minutes_given, minutes,
     scheduled_minutes, program, clinician, session_id, session_slot, value_hash, load_id, source_row, attended,
     scheduled, no_show, group_name, site)
SELECT participant_id, NULL, session_date, start_time, session_type, status, minutes_given,
       attended_minutes(status, minutes_given), scheduled_length(status, minutes_given), program,
       clinician, session_id, session_slot, value_hash, getvariable('load_id'), row_number,
       session_attended(status), session_scheduled(status), session_no_show(status), group_name, site
FROM merge_plan WHERE outcome IN ('loaded', 'updated');

-- the days whose sessions this load wrote or replaced: their group sizes are counted again
-- (clinical/sql/09_group_sizes.sql, `-- scope: day`)
CREATE TEMP TABLE IF NOT EXISTS touched_days (session_date DATE);
INSERT INTO touched_days
SELECT session_date FROM merge_plan WHERE outcome IN ('loaded', 'updated')
UNION
SELECT session_date FROM sessions_history WHERE replaced_by_load = getvariable('load_id');
