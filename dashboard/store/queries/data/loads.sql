SELECT load_id AS "Load", loaded_at AS "Loaded at (UTC)", file_name AS "File", kind AS "Kind", file_format AS "Format",
       rows_read AS "Read", rows_loaded AS "Loaded", rows_updated AS "Updated", rows_rejected AS "Rejected",
       rows_duplicate AS "Duplicates", seconds AS "Seconds"
FROM loads ORDER BY load_id DESC;
