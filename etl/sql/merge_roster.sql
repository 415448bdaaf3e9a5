-- Valid staged roster rows -> roster_admissions, classified as in merge_attendance.sql.
CREATE OR REPLACE TEMP TABLE merge_plan AS
WITH valid AS (SELECT * FROM staged WHERE reason IS NULL),
ranked AS (
    SELECT *,
        first_value(row_number) OVER same_key AS first_row,
        first_value(value_hash) OVER same_key AS first_hash
    FROM valid
    WINDOW same_key AS (PARTITION BY participant_id, admit_date ORDER BY row_number)
)
SELECT ranked.*,
    CASE
        WHEN ranked.row_number <> first_row AND ranked.value_hash = first_hash THEN 'duplicate'
        WHEN ranked.row_number <> first_row THEN 'conflict'
        WHEN held.value_hash IS NULL THEN 'loaded'
        WHEN held.value_hash = ranked.value_hash THEN 'duplicate'
        ELSE 'updated'
    END AS outcome
FROM ranked
LEFT JOIN roster_admissions AS held USING (participant_id, admit_date);

INSERT INTO roster_admissions_history BY NAME
SELECT held.*, getvariable('load_id') AS replaced_by_load, getvariable('loaded_at') AS replaced_at
FROM roster_admissions AS held
JOIN merge_plan AS plan USING (participant_id, admit_date)
WHERE plan.outcome = 'updated';

DELETE FROM roster_admissions USING merge_plan AS plan
WHERE plan.outcome = 'updated' AND roster_admissions.participant_id = plan.participant_id
  AND roster_admissions.admit_date = plan.admit_date;

INSERT INTO roster_admissions
    (participant_id, admit_date, discharge_date, discharge_reason, discharge_teds_code, program, level_of_care,
     primary_clinician, birth_year, age_group, aftercare_plan, aftercare_note, value_hash, load_id, source_row,
     payer, referral_source, diagnosis_group, sex_or_gender, race, ethnicity)
SELECT participant_id, admit_date, discharge_date, discharge_reason, discharge_teds_code, program, level_of_care,
       primary_clinician, birth_year, age_group, aftercare_plan, aftercare_text, value_hash,
       getvariable('load_id'), row_number, payer, referral_source, diagnosis_group, sex_or_gender, race, ethnicity
FROM merge_plan WHERE outcome IN ('loaded', 'updated');

CREATE OR REPLACE TEMP TABLE conflicts AS
SELECT row_number,
       format('repeats row {} (same participant and admit_date) with different values', first_row) AS reason
FROM merge_plan WHERE outcome = 'conflict';
