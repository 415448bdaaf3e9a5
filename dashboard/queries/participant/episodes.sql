-- A participant's episodes, newest first.
SELECT e.*, (SELECT data_as_of FROM dataset_info) AS data_as_of
FROM episodes AS e
WHERE participant_id = $participant_id
  AND ($clinician IS NULL OR primary_clinician = $clinician)  -- a clinician's own caseload only
ORDER BY admit_date DESC;
