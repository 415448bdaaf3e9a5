SELECT count(*) AS episodes,
       count(*) FILTER (EXISTS (SELECT 1 FROM sessions AS s WHERE s.episode_id = e.episode_id AND s.session_type = 'family'
                                AND s.status IN ('attended', 'late', 'left_early'))) AS with_family_session
FROM scoped_episodes AS e;
