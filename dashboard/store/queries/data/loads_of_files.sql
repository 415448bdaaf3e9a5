-- What a database records of loading these files (the paths the loader was given, as it resolves
-- them): a load stopped after it had saved says here what it saved.
SELECT file_path, kind, rows_read AS "read", rows_loaded AS loaded, rows_updated AS updated,
       rows_rejected AS rejected, rows_duplicate AS duplicate, load_id
FROM loads
WHERE file_path IN (SELECT unnest($paths::VARCHAR[]))
ORDER BY load_id;
