-- Every group held on $day with its size (group_sizes: counts only, the whole program).
SELECT group_label, start_time, members, attended FROM group_sizes WHERE session_date = $day ORDER BY start_time, group_label;
