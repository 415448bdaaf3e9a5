-- Measures due this week for the caseload ($clinician, $program: NULL = all): every planned measure of
-- an open episode that is overdue, due by Sunday or (when $with_done) done this week (measures_due),
-- overdue first.
SELECT participant_id, episode_id, primary_clinician, program, instrument, status, due_on, last_on, every_days
FROM visible_measures_due
WHERE (status IN ('overdue', 'due') OR (status = 'done' AND $with_done))
  AND ($clinician IS NULL OR primary_clinician = $clinician) AND ($program IS NULL OR program = $program)
ORDER BY CASE status WHEN 'overdue' THEN 0 WHEN 'due' THEN 1 ELSE 2 END, due_on, participant_id, instrument;
