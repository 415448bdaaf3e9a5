-- scope: participant
-- Authorization use (docs/clinical.md, "Authorizations"): one row per episode x payer authorization
-- overlapping it (authorizations export), with what was used of it by the as-of date: days
-- attended (an IOP authorization counts days of service) and hours attended (attended minutes of
-- every session type). For the episode, `covered_through` is the last day of the unbroken run of
-- authorizations holding the as-of date (a next block starting the day after the last one ends
-- continues the run); with none holding it, the last authorization's end. days_left is
-- covered_through - as_of (negative: ended); ends_soon when it is at most
-- authorization.ends_soon_days (settings): time for a continued-stay review.
CREATE OR REPLACE TABLE authorization_use AS
WITH spans AS (
    SELECT e.participant_id, e.episode_id, a.authorization_id, a.payer, a.level_of_care, a.start_date, a.end_date,
           a.authorized_sessions, a.authorized_hours
    FROM episodes AS e
    JOIN authorizations AS a
      ON a.participant_id = e.participant_id AND a.end_date >= e.admit_date
     AND a.start_date <= coalesce(e.discharge_date, DATE '9999-12-31')
),
runs AS (      -- runs of authorizations with no day uncovered between them
    SELECT *, sum(starts_run) OVER (PARTITION BY episode_id ORDER BY start_date, end_date ROWS UNBOUNDED PRECEDING) AS run
    FROM (SELECT *, coalesce(start_date > max(end_date) OVER (PARTITION BY episode_id ORDER BY start_date, end_date
                                                              ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) + 1,
                             true)::INTEGER AS starts_run
          FROM spans)
),
run_ends AS (
    SELECT episode_id, run, min(start_date) AS run_start, max(end_date) AS run_end FROM runs GROUP BY ALL
),
covered AS (   -- the run holding the as-of date, else the last one that started by then
    SELECT episode_id, run_end AS covered_through, run_start <= getvariable('as_of') AND run_end >= getvariable('as_of') AS holds
    FROM run_ends
    WHERE run_start <= getvariable('as_of')
    QUALIFY row_number() OVER (PARTITION BY episode_id ORDER BY holds DESC, run_end DESC) = 1
),
used AS (
    SELECT sp.episode_id, sp.authorization_id,
           count(DISTINCT s.session_date) FILTER (s.attended) AS days_used,
           coalesce(sum(s.minutes) FILTER (s.attended), 0) / 60 AS hours_used
    FROM spans AS sp
    JOIN sessions AS s ON s.episode_id = sp.episode_id
     AND s.session_date BETWEEN sp.start_date AND least(sp.end_date, getvariable('as_of'))
    GROUP BY ALL
)
SELECT sp.*,
       coalesce(u.days_used, 0) AS days_used, coalesce(u.hours_used, 0) AS hours_used,
       -- the block in use: holding the as-of date (the latest started when blocks overlap)
       sp.start_date <= getvariable('as_of') AND sp.end_date >= getvariable('as_of')
           AND row_number() OVER (PARTITION BY sp.episode_id,
                                  sp.start_date <= getvariable('as_of') AND sp.end_date >= getvariable('as_of')
                                  ORDER BY sp.start_date DESC, sp.end_date DESC) = 1 AS is_current,
       -- the block in use for the caseload and the packet: the one holding the as-of date, else the last
       -- started by then (ended, or a gap before the next)
       sp.start_date <= getvariable('as_of')
           AND row_number() OVER (PARTITION BY sp.episode_id, sp.start_date <= getvariable('as_of')
                                  ORDER BY sp.start_date <= getvariable('as_of') AND sp.end_date >= getvariable('as_of') DESC,
                                           sp.start_date DESC) = 1 AS in_use,
       c.covered_through, c.covered_through - getvariable('as_of') AS days_left,
       c.covered_through - getvariable('as_of') <= getvariable('authorization_ends_soon_days') AS ends_soon
FROM spans AS sp
LEFT JOIN used AS u USING (episode_id, authorization_id)
LEFT JOIN covered AS c USING (episode_id)
ORDER BY sp.participant_id, sp.episode_id, sp.start_date;
