-- Roster rows -> roster_admissions, by merge.sql.
-- table: roster_admissions
-- key: participant_id, admit_date

-- part: conflict
format('repeats row {} (same participant and admit_date) with different values', first_row)

-- part: write
INSERT INTO roster_admissions
    (participant_id, admit_date, discharge_date, discharge_reason, discharge_teds_code, program, level_of_care,
     primary_clinician, birth_year, age_group, aftercare_plan, aftercare_note, value_hash, load_id, source_row,
     payer, referral_source, diagnosis_group, sex_or_gender, race, ethnicity, birth_date, age_at_admission, site)
SELECT participant_id, admit_date, discharge_date, discharge_reason, discharge_teds_code, program, level_of_care,
       primary_clinician, birth_year, age_group, aftercare_plan, aftercare_text, value_hash,
       getvariable('load_id'), row_number, payer, referral_source, diagnosis_group, sex_or_gender, race, ethnicity,
       birth_date, age_at_admission, site
FROM merge_plan WHERE outcome IN ('loaded', 'updated');
