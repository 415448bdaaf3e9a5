-- What each session's status means, from the attendance settings (one list, read everywhere):
-- attended, scheduled (not cancelled by the program), no-show. Set after every load and rebuild.
UPDATE sessions SET attended = list_contains(setting_list('attendance_attended'), status),
                    scheduled = NOT list_contains(setting_list('attendance_not_scheduled'), status),
                    no_show = list_contains(setting_list('attendance_no_show'), status)
WHERE attended IS DISTINCT FROM list_contains(setting_list('attendance_attended'), status)
   OR scheduled IS DISTINCT FROM (NOT list_contains(setting_list('attendance_not_scheduled'), status))
   OR no_show IS DISTINCT FROM list_contains(setting_list('attendance_no_show'), status);
