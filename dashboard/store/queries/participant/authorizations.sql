-- The episode's payer authorizations and what was used of each (authorization_use mart), oldest first.
SELECT authorization_id, payer, level_of_care, start_date, end_date, authorized_sessions, authorized_hours,
       days_used, hours_used, is_current, in_use, covered_through, days_left, ends_soon
FROM visible_authorization_use WHERE episode_id = $episode_id ORDER BY start_date, end_date;
