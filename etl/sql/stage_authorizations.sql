-- Authorization rows (a payer's approval of a level of care for a span of dates) -> typed rows
-- with the first problem in words.
CREATE OR REPLACE TEMP TABLE staged AS
WITH typed AS MATERIALIZED (
    SELECT
        src.row_number,
        nullif(trim(src.participant_id), '')        AS participant_id,
        nullif(trim(src.authorization_id), '')      AS authorization_id,
        nullif(trim(src.payer), '')                 AS payer,
        nullif(trim(src.level_of_care), '')         AS level_of_care,
        src.start_date                              AS start_text,
        parse_date(src.start_date)                  AS start_date,
        src.end_date                                AS end_text,
        parse_date(src.end_date)                    AS end_date,
        src.authorized_sessions                     AS sessions_text,
        parse_int(src.authorized_sessions)          AS authorized_sessions,
        src.authorized_hours                        AS hours_text,
        parse_number(src.authorized_hours)          AS authorized_hours
    FROM src
),
checked AS (
    SELECT *, CASE
        WHEN participant_id IS NULL THEN 'participant_id is empty'
        WHEN id_problem('participant_id', participant_id) IS NOT NULL THEN id_problem('participant_id', participant_id)
        WHEN authorization_id IS NULL THEN 'authorization_id is empty'
        WHEN id_problem('authorization_id', authorization_id) IS NOT NULL THEN id_problem('authorization_id', authorization_id)
        WHEN blank(start_text) THEN 'start_date is empty'
        WHEN start_date IS NULL THEN format('start_date {} is not a date (use YYYY-MM-DD, M/D/YYYY or an Excel date number)', quoted(start_text))
        WHEN start_date < DATE '1990-01-01' THEN format('start_date {} is before 1990', quoted(start_text))
        WHEN start_date > getvariable('today') + 366 THEN format('start_date {} is more than a year in the future', start_date)
        WHEN blank(end_text) THEN 'end_date is empty (an authorization always ends)'
        WHEN end_date IS NULL THEN format('end_date {} is not a date (use YYYY-MM-DD, M/D/YYYY or an Excel date number)', quoted(end_text))
        WHEN end_date < start_date THEN format('end_date {} is before start_date {}', end_date, start_date)
        WHEN NOT blank(sessions_text) AND (authorized_sessions IS NULL OR authorized_sessions < 0)
            THEN format('authorized_sessions {} is not a whole number of sessions', quoted(sessions_text))
        WHEN NOT blank(hours_text) AND (authorized_hours IS NULL OR authorized_hours < 0)
            THEN format('authorized_hours {} is not a number of hours', quoted(hours_text))
        WHEN authorized_sessions IS NULL AND authorized_hours IS NULL
            THEN 'neither authorized_sessions nor authorized_hours is given'
    END AS reason
    FROM typed
)
SELECT *,
    md5(concat_ws('|', payer, level_of_care, start_date, end_date, authorized_sessions, authorized_hours)) AS value_hash
FROM checked;
