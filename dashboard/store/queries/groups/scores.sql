-- For the members of $day's groups this request may see: each instrument's last valid score up to
-- the day, the one before it, whether higher is worse, and the expected-recovery status of the
-- latest week judged by then.
WITH members AS (
    SELECT DISTINCT s.episode_id FROM visible_sessions AS s
    WHERE s.session_date = $day AND group_label(s.group_name, s.session_type, s.program, s.start_time, s.site) IS NOT NULL
),
last_two AS (
    SELECT a.episode_id, a.instrument, a.assessed_on, a.total_score,
           row_number() OVER (PARTITION BY a.episode_id, a.instrument ORDER BY a.assessed_on DESC, a.assessment_id DESC) AS k
    FROM visible_assessments AS a
    WHERE a.total_valid AND a.assessed_on <= $day AND a.episode_id IN (SELECT episode_id FROM members)
    QUALIFY k <= 2
),
status AS (
    SELECT episode_id, instrument, status FROM visible_recovery_status
    WHERE scored_on <= $day AND episode_id IN (SELECT episode_id FROM members)
    QUALIFY row_number() OVER (PARTITION BY episode_id, instrument ORDER BY treatment_week DESC) = 1
)
SELECT l.episode_id, l.instrument, any_value(l.assessed_on) FILTER (l.k = 1) AS latest_on,
       any_value(l.total_score) FILTER (l.k = 1) AS latest, any_value(l.total_score) FILTER (l.k = 2) AS previous,
       any_value(c.higher_is_worse) AS higher_is_worse, any_value(r.status) AS recovery_status
FROM last_two AS l
JOIN instrument_catalogue AS c USING (instrument)
LEFT JOIN status AS r USING (episode_id, instrument)
GROUP BY l.episode_id, l.instrument
ORDER BY l.episode_id, l.instrument;
