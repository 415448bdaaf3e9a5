-- HEDIS-style DMS encounters: each participant's attended sessions by calendar 4-month period
-- (Jan-Apr, May-Aug, Sep-Dec) and episode. Built once per load: the cohort page's DMS reads the
-- periods overlapping its range from here instead of every session (dashboard/queries/cohorts/dms.sql).
CREATE OR REPLACE TABLE dms_encounters AS
SELECT DISTINCT period_start, CAST(period_start + INTERVAL 4 MONTH - INTERVAL 1 DAY AS DATE) AS period_end,
       episode_id, participant_id
FROM (SELECT make_date(year(session_date), (month(session_date) - 1) // 4 * 4 + 1, 1) AS period_start,
             episode_id, participant_id
      FROM sessions WHERE attended AND episode_id IS NOT NULL)
ORDER BY period_start, episode_id;
