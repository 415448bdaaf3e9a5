-- scope: day
-- Group sizes for the "Today's groups" huddle: per date and group (the stored group_label), how many
-- people were scheduled in it and how many attended. Counts only, so a clinician's page can say how
-- many members come from other caseloads without naming them.
CREATE OR REPLACE TABLE group_sizes AS
SELECT session_date, group_label(group_name, session_type, program, start_time, site) AS group_label,
       min(start_time) AS start_time,
       count(DISTINCT participant_id) AS members,
       count(DISTINCT participant_id) FILTER (attended) AS attended
FROM sessions
WHERE group_label(group_name, session_type, program, start_time, site) IS NOT NULL
GROUP BY ALL
ORDER BY session_date, start_time, group_label;
