-- scope: participant
-- Measures due (docs/clinical.md, "Measures due"): for each episode open on the as-of date and each
-- instrument the measurement plan expects of its track (settings measurement.plan, the table the
-- completeness denominators use; a track's own row wins over the "*" row), the last administration,
-- when the next falls due (the first at admission) and its status in the week (Monday to Sunday)
-- holding the as-of date: done (taken this week), overdue (more than measurement.overdue_grace_days
-- past due: the measure_overdue flag, for the primary instrument), due (falls due by the end of the
-- week), or later.
CREATE OR REPLACE TABLE measures_due AS
WITH open_episodes AS (
    SELECT participant_id, episode_id, admit_date, program, primary_clinician
    FROM episodes
    WHERE admit_date <= getvariable('as_of') AND (discharge_date IS NULL OR discharge_date > getvariable('as_of'))
),
planned AS (
    SELECT o.*, p.instrument, p.every_days
    FROM open_episodes AS o JOIN measurement_plan AS p ON p.track = '*' OR p.track = o.program
    QUALIFY row_number() OVER (PARTITION BY o.episode_id, p.instrument ORDER BY p.track = '*') = 1
),
last AS (
    SELECT episode_id, instrument, max(assessed_on) AS last_on
    FROM assessments WHERE assessed_on <= getvariable('as_of') AND episode_id IS NOT NULL
    GROUP BY ALL
),
due AS (
    SELECT p.*, l.last_on, coalesce(l.last_on + p.every_days, p.admit_date) AS due_on,
           CAST(date_trunc('week', getvariable('as_of')) AS DATE) AS week_start
    FROM planned AS p LEFT JOIN last AS l USING (episode_id, instrument)
)
SELECT participant_id, episode_id, program, primary_clinician, admit_date, instrument, every_days, last_on, due_on,
       getvariable('as_of') - due_on AS days_past_due, week_start,
       CASE WHEN last_on >= week_start THEN 'done'
            WHEN getvariable('as_of') - due_on > getvariable('measurement_overdue_grace_days') THEN 'overdue'
            WHEN due_on <= week_start + 6 THEN 'due'
            ELSE 'later' END AS status
FROM due
ORDER BY participant_id, episode_id, instrument;
