-- Roster rows (admissions and discharges) -> typed rows with the first problem in words.
CREATE OR REPLACE TEMP TABLE staged AS
WITH typed AS MATERIALIZED (
    SELECT
        src.row_number,
        nullif(trim(src.participant_id), '')         AS participant_id,
        src.admit_date                               AS admit_text,
        parse_date(src.admit_date)                   AS admit_date,
        src.discharge_date                           AS discharge_text,
        parse_date(src.discharge_date)               AS discharge_date,
        nullif(trim(src.discharge_reason), '')       AS discharge_reason,
        CAST(reason.value AS INTEGER)                AS discharge_teds_code,
        nullif(trim(src.program), '')                AS program,
        nullif(trim(src.level_of_care), '')          AS level_of_care,
        nullif(trim(src.primary_clinician), '')      AS primary_clinician,
        src.birth_year                               AS birth_year_text,
        parse_int(src.birth_year)                    AS birth_year,
        src.birth_date                               AS birth_date_text,
        parse_date(src.birth_date)                   AS birth_date,
        src.age_at_admission                         AS age_text,
        parse_int(src.age_at_admission)              AS age_at_admission,
        src.age_group                                AS age_group_text,
        age.value                                    AS stated_age_group,
        nullif(trim(src.aftercare_plan), '')         AS aftercare_text,
        CASE WHEN norm_token(src.aftercare_plan) IN ('yes', 'y', 'true', '1') THEN true
             WHEN norm_token(src.aftercare_plan) IN ('no', 'n', 'false', '0', 'none', 'na') THEN false
             WHEN NOT blank(src.aftercare_plan) THEN true   -- a short text describing the plan
        END                                          AS aftercare_plan,
        -- equity fields, as the export words them (optional; cohort groupings and overview filters)
        nullif(trim(src.payer), '')                  AS payer,
        nullif(trim(src.referral_source), '')        AS referral_source,
        nullif(trim(src.diagnosis_group), '')        AS diagnosis_group,
        nullif(trim(src.sex_or_gender), '')          AS sex_or_gender,
        nullif(trim(src.race), '')                   AS race,
        nullif(trim(src.ethnicity), '')              AS ethnicity,
        -- the site (location) of the admission (optional): sites' cohorts, and directors scoped to sites
        nullif(trim(src.site), '')                   AS site
    FROM src
    LEFT JOIN vocab AS reason ON reason.field = 'discharge_reason' AND reason.token = norm_token(src.discharge_reason)
    LEFT JOIN vocab AS age ON age.field = 'age_group' AND age.token = norm_token(src.age_group)
),
checked AS (
    SELECT *, CASE
        WHEN participant_id IS NULL THEN 'participant_id is empty'
        WHEN id_problem('participant_id', participant_id) IS NOT NULL THEN id_problem('participant_id', participant_id)
        WHEN blank(admit_text) THEN 'admit_date is empty'
        WHEN admit_date IS NULL THEN format('admit_date {} is not a date (use YYYY-MM-DD, M/D/YYYY or an Excel date number)', quoted(admit_text))
        WHEN admit_date > getvariable('today') THEN format('admit_date {} is in the future', admit_date)
        WHEN admit_date < DATE '1990-01-01' THEN format('admit_date {} is before 1990', quoted(admit_text))
        WHEN NOT blank(discharge_text) AND discharge_date IS NULL THEN format('discharge_date {} is not a date (use YYYY-MM-DD, M/D/YYYY or an Excel date number)', quoted(discharge_text))
        WHEN discharge_date > getvariable('today') THEN format('discharge_date {} is in the future', discharge_date)
        WHEN discharge_date < DATE '1990-01-01' THEN format('discharge_date {} is before 1990', quoted(discharge_text))
        WHEN discharge_date < admit_date THEN format('discharge_date {} is before admit_date {}', discharge_date, admit_date)
        WHEN discharge_reason IS NOT NULL AND discharge_teds_code IS NULL
            THEN format('discharge_reason {} is not a known reason (see etl/vocabulary.toml; e.g. completed, dropped out, terminated by facility, transferred, incarcerated, death, other)', quoted(discharge_reason))
        WHEN discharge_reason IS NOT NULL AND discharge_date IS NULL THEN format('discharge_reason {} given without a discharge_date', quoted(discharge_reason))
        WHEN NOT blank(birth_year_text) AND birth_year IS NULL THEN format('birth_year {} is not a year', quoted(birth_year_text))
        WHEN birth_year < 1900 OR birth_year > year(admit_date) THEN format('birth_year {} is not possible for an admission in {}', birth_year, year(admit_date))
        WHEN NOT blank(birth_date_text) AND birth_date IS NULL THEN format('birth_date {} is not a date (use YYYY-MM-DD, M/D/YYYY or an Excel date number)', quoted(birth_date_text))
        WHEN birth_date < DATE '1900-01-01' THEN format('birth_date {} is before 1900', quoted(birth_date_text))
        WHEN birth_date > admit_date THEN format('birth_date {} is after admit_date {}', birth_date, admit_date)
        WHEN birth_year <> year(birth_date) THEN format('birth_year {} disagrees with birth_date {}', birth_year, birth_date)
        WHEN NOT blank(age_text) AND (age_at_admission IS NULL OR age_at_admission NOT BETWEEN 0 AND 120)
            THEN format('age_at_admission {} is not a whole number of years from 0 to 120', quoted(age_text))
        WHEN age_at_admission <> full_years(birth_date, admit_date)
            THEN format('age_at_admission {} disagrees with birth_date {}: {} full years at admit_date {}',
                        age_at_admission, birth_date, full_years(birth_date, admit_date), admit_date)
        WHEN NOT blank(age_group_text) AND stated_age_group IS NULL THEN format('age_group {} is not one of adult, adolescent', quoted(age_group_text))
    END AS reason
    FROM typed
)
SELECT * REPLACE (coalesce(birth_year, year(birth_date)) AS birth_year),
    -- ASAM uses separate hour minimums for adolescents; age at admission exact from the date of birth
    -- or the stated age, else from the birth year (which can be off by one: the stated age group wins).
    coalesce(stated_age_group,
             CASE WHEN coalesce(full_years(birth_date, admit_date), age_at_admission) < 18 THEN 'adolescent'
                  WHEN birth_date IS NOT NULL OR age_at_admission IS NOT NULL THEN 'adult'
                  WHEN year(admit_date) - birth_year < 18 THEN 'adolescent'
                  WHEN birth_year IS NOT NULL THEN 'adult' END) AS age_group,
    -- concat_ws skips NULLs: a roster without the equity fields or the date of birth hashes as before
    -- they were read (the birth year as stated, not as derived from the date of birth)
    md5(concat_ws('|', discharge_date, discharge_reason, program, level_of_care, primary_clinician, birth_year,
                  stated_age_group, aftercare_text, payer, referral_source, diagnosis_group, sex_or_gender,
                  race, ethnicity, birth_date, age_at_admission, site)) AS value_hash
FROM checked;
