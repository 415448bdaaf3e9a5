-- Attendance rows -> typed rows with the first problem found, in words (NULL = valid).
CREATE OR REPLACE TEMP TABLE staged AS
-- Dates, times, numbers and words repeat across a million rows: each distinct text is parsed once.
WITH dates AS (SELECT t, parse_date(t) AS d, parse_time(t) AS time_of_day FROM (SELECT DISTINCT session_date AS t FROM src)),
times AS (SELECT t, parse_time(t) AS v FROM (SELECT DISTINCT start_time AS t FROM src)),
numbers AS (SELECT t, parse_number(t) AS v, blank(t) AS is_blank FROM (SELECT DISTINCT minutes AS t FROM src)),
types AS (SELECT t, v.value FROM (SELECT DISTINCT session_type AS t FROM src)
          JOIN vocab AS v ON v.field = 'session_type' AND v.token = norm_token(t)),
statuses AS (SELECT t, v.value, session_attended(v.value) AS attended   -- definitions.sql: its minutes are required
             FROM (SELECT DISTINCT status AS t FROM src)
             JOIN vocab AS v ON v.field = 'status' AND v.token = norm_token(t)),
typed AS MATERIALIZED (
    SELECT
        src.row_number,
        nullif(trim(src.participant_id), '')                 AS participant_id,
        src.session_date                                     AS session_date_text,
        dates.d                                              AS session_date,
        coalesce(times.v, dates.time_of_day)                 AS start_time,
        src.start_time                                       AS start_time_text,
        src.session_type                                     AS session_type_text,
        types.value                                          AS session_type,
        src.status                                           AS status_text,
        statuses.value                                       AS status,
        src.minutes                                          AS minutes_text,
        coalesce(statuses.attended, false)                   AS attended,
        CASE WHEN coalesce(numbers.is_blank, true) AND NOT attended THEN 0
             ELSE numbers.v END                              AS minutes_given,
        nullif(trim(src.program), '')                        AS program,
        nullif(trim(src.clinician), '')                      AS clinician,
        nullif(trim(src.session_id), '')                     AS session_id,
        nullif(trim(src.group_name), '')                     AS group_name,
        nullif(trim(src.site), '')                           AS site
    FROM src
    LEFT JOIN dates ON dates.t = src.session_date
    LEFT JOIN times ON times.t = src.start_time
    LEFT JOIN numbers ON numbers.t = src.minutes
    LEFT JOIN types ON types.t = src.session_type
    LEFT JOIN statuses ON statuses.t = src.status
),
checked AS (
    SELECT *, CASE
        WHEN participant_id IS NULL THEN 'participant_id is empty'
        WHEN id_problem('participant_id', participant_id) IS NOT NULL THEN id_problem('participant_id', participant_id)
        WHEN blank(session_date_text) THEN 'session_date is empty'
        WHEN session_date IS NULL THEN format('session_date {} is not a date (use YYYY-MM-DD, M/D/YYYY or an Excel date number)', quoted(session_date_text))
        WHEN session_date > getvariable('today') THEN format('session_date {} is in the future', session_date)
        WHEN session_date < DATE '1990-01-01' THEN format('session_date {} is before 1990', quoted(session_date_text))
        WHEN NOT blank(start_time_text) AND start_time IS NULL THEN format('start_time {} is not a time of day', quoted(start_time_text))
        WHEN blank(session_type_text) THEN 'session_type is empty'
        WHEN session_type IS NULL THEN format('session_type {} is not one of {}', quoted(session_type_text), getvariable('session_types'))
        WHEN blank(status_text) THEN 'status is empty'
        WHEN status IS NULL THEN format('status {} is not one of {}', quoted(status_text), getvariable('statuses'))
        WHEN minutes_given IS NULL AND blank(minutes_text) THEN format('minutes is empty for a session with status {}', status)
        WHEN minutes_given IS NULL THEN format('minutes {} is not a number', quoted(minutes_text))
        WHEN minutes_given < 0 THEN format('minutes {} is negative', minutes_text)
        WHEN minutes_given > 720 THEN format('minutes {} is more than 12 hours', minutes_text)
        WHEN attended AND minutes_given = 0 THEN format('status {} but 0 minutes attended', status)
    END AS reason
    FROM typed
)
-- only what the merge and the load notes read: a million rows carry no more text than they need
-- the minutes as given: what they mean (attended, or the scheduled length) is the engine's (definitions.sql)
SELECT row_number, reason, participant_id, session_date, start_time, session_type, status, minutes_given,
    program, clinician, session_id, group_name, site,
    coalesce(session_id, session_type || coalesce(' ' || substr(CAST(start_time AS VARCHAR), 1, 5), '')) AS session_slot,
    -- concat_ws skips NULLs: a file without group names hashes as before they were read
    md5(concat_ws('|', session_type, status, minutes_given, start_time, program, clinician, session_id,
                  group_name, site)) AS value_hash
FROM checked;
