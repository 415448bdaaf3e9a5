-- Each open episode's authorization in use on the data date (authorization_use.in_use).
SELECT a.episode_id, a.authorization_id, a.payer, a.start_date, a.end_date, a.is_current, a.covered_through,
       a.days_left, a.ends_soon, a.authorized_sessions, a.authorized_hours, a.days_used, a.hours_used
FROM visible_authorization_use AS a
JOIN visible_episodes AS e USING (episode_id)
WHERE a.in_use AND (e.discharge_date IS NULL OR e.discharge_date > (SELECT data_as_of FROM dataset_info))
ORDER BY a.episode_id;
