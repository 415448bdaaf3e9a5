-- Rejected rows, newest load first; $search filters file name or reason (case-insensitive).
SELECT load_id AS "Load", file_name AS "File", row_number AS "Row", reason AS "Reason", raw_row AS "Row as read"
FROM visible_rejects
WHERE $search IS NULL OR file_name ILIKE '%' || $search || '%' OR reason ILIKE '%' || $search || '%'
ORDER BY load_id DESC, row_number
LIMIT 5000;
