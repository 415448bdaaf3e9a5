-- The dates the groups page can show: the first and last day with a group session, and the data date.
SELECT min(session_date) AS first_day, max(session_date) AS last_day, (SELECT data_as_of FROM dataset_info) AS data_as_of
FROM group_sizes;
