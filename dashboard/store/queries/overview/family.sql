SELECT count(*) AS episodes,
       count(*) FILTER (EXISTS (SELECT 1 FROM visible_sessions AS s WHERE s.episode_id = e.episode_id AND s.session_type = 'family'
                                AND s.attended)) AS with_family_session
FROM scoped_episodes($start, $end, $program, $clinician, $age_group, $dimension, $admitted_in_range, $group_field, $group_value) AS e;
