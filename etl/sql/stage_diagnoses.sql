-- Diagnosis rows (a problem-list entry or a claim's diagnosis line) -> typed rows with the first
-- problem in words. Codes are stored canonical, so that a claim's "F331" and a problem list's "F33.1"
-- are one diagnosis.
CREATE OR REPLACE TEMP TABLE staged AS
WITH typed AS MATERIALIZED (
    SELECT
        src.row_number,
        nullif(trim(src.participant_id), '')        AS participant_id,
        src.icd10_code                              AS code_text,
        upper(regexp_replace(src.icd10_code, '[\s.]', '', 'g')) AS code_bare,
        src.start_date                              AS start_text,
        parse_date(src.start_date)                  AS start_date,
        src.end_date                                AS end_text,
        parse_date(src.end_date)                    AS end_date,
        nullif(trim(src.episode_ref), '')           AS episode_ref,
        nullif(trim(src.description), '')           AS description,
        norm_token(src.status)                      AS status_token
    FROM src
),
checked AS (
    SELECT *,
        CASE WHEN length(code_bare) > 3 THEN substr(code_bare, 1, 3) || '.' || substr(code_bare, 4) ELSE code_bare END
            AS icd10_code,
        CASE
        -- a problem-list entry the EHR marks as a mistake is no diagnosis, whatever else it says
        WHEN status_token = 'enteredinerror' THEN 'entered in error in the source'
        WHEN participant_id IS NULL THEN 'participant_id is empty'
        WHEN id_problem('participant_id', participant_id) IS NOT NULL THEN id_problem('participant_id', participant_id)
        WHEN blank(code_text) THEN 'icd10_code is empty'
        WHEN NOT regexp_full_match(code_bare, '[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}')
            THEN format('icd10_code {} is not an ICD-10 code (a letter, two characters, then up to four; e.g. F33.1)', quoted(trim(code_text)))
        WHEN blank(start_text) THEN 'start_date is empty'
        WHEN start_date IS NULL THEN format('start_date {} is not a date (use YYYY-MM-DD, M/D/YYYY or an Excel date number)', quoted(start_text))
        WHEN start_date < DATE '1900-01-01' THEN format('start_date {} is before 1900', quoted(start_text))
        WHEN start_date > getvariable('today') + 366 THEN format('start_date {} is more than a year in the future', start_date)
        WHEN NOT blank(end_text) AND end_date IS NULL THEN format('end_date {} is not a date (use YYYY-MM-DD, M/D/YYYY or an Excel date number)', quoted(end_text))
        WHEN end_date < start_date THEN format('end_date {} is before start_date {}', end_date, start_date)
        WHEN id_problem('episode_ref', episode_ref) IS NOT NULL THEN id_problem('episode_ref', episode_ref)
    END AS reason
    FROM typed
)
SELECT *,
    -- each value in its place (a blank as ''), so that a reference moved to the description is a change
    md5(concat_ws('|', coalesce(CAST(end_date AS VARCHAR), ''), coalesce(episode_ref, ''), coalesce(description, '')))
        AS value_hash
FROM checked;
