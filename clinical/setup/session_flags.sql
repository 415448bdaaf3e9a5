-- Each session's meaning from its status and the minutes given (the session_* macros of
-- definitions.sql), after every load and rebuild: only rows whose meaning changed are written (a
-- settings change, or rows written before the macros existed).
UPDATE sessions SET attended = session_attended(status),
                    scheduled = session_scheduled(status),
                    no_show = session_no_show(status),
                    minutes = attended_minutes(status, minutes_given),
                    scheduled_minutes = scheduled_length(status, minutes_given)
WHERE attended IS DISTINCT FROM session_attended(status)
   OR scheduled IS DISTINCT FROM session_scheduled(status)
   OR no_show IS DISTINCT FROM session_no_show(status)
   OR minutes IS DISTINCT FROM attended_minutes(status, minutes_given)
   OR scheduled_minutes IS DISTINCT FROM scheduled_length(status, minutes_given);
