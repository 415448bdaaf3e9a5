-- Diagnosis rows -> diagnoses, by merge.sql, keyed by participant, code and start date (a diagnosis
-- later resolved keeps its key and gains an end date: an update; the old row goes to history).
-- table: diagnoses
-- key: participant_id, icd10_code, start_date

-- part: conflict
format('repeats row {} (same participant, icd10_code and start_date) with different values', first_row)

-- part: write
INSERT INTO diagnoses
SELECT participant_id, icd10_code, start_date, end_date, episode_ref, description, value_hash,
       getvariable('load_id'), row_number
FROM merge_plan WHERE outcome IN ('loaded', 'updated');
