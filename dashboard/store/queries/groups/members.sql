-- The members of each group on $day that this request may see (a clinician: their caseload), with
-- their status on the day, and from the sessions before it: how many scheduled sessions in a row they
-- attended (or missed) and the last day they attended.
WITH today AS (
    SELECT s.participant_id, s.episode_id, group_label(s.group_name, s.session_type, s.program, s.start_time, s.site) AS group_label,
           s.start_time, s.status, s.attended, s.scheduled
    FROM visible_sessions AS s
    WHERE s.session_date = $day AND group_label(s.group_name, s.session_type, s.program, s.start_time, s.site) IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY s.episode_id, group_label ORDER BY s.start_time) = 1
),
before AS (
    SELECT s.episode_id, s.session_date, s.attended,
           row_number() OVER (PARTITION BY s.episode_id ORDER BY s.session_date DESC, s.start_time DESC NULLS LAST) AS k
    FROM visible_sessions AS s
    WHERE s.scheduled AND s.session_date < $day AND s.episode_id IN (SELECT episode_id FROM today)
),
runs AS (SELECT *, first_value(attended) OVER (PARTITION BY episode_id ORDER BY k) AS latest FROM before),
streaks AS (
    SELECT episode_id, any_value(latest) AS streak_attended,
           coalesce(min(k) FILTER (attended <> latest), max(k) + 1) - 1 AS streak,
           max(session_date) FILTER (attended) AS last_attended
    FROM runs GROUP BY episode_id
)
SELECT t.group_label, t.start_time, t.participant_id, t.episode_id, e.primary_clinician, t.status AS status_on_day,
       t.scheduled, st.streak_attended, coalesce(st.streak, 0) AS streak, st.last_attended
FROM today AS t
JOIN visible_episodes AS e USING (episode_id)
LEFT JOIN streaks AS st USING (episode_id)
ORDER BY t.start_time, t.group_label, t.participant_id;
