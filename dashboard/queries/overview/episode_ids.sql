SELECT episode_id FROM scoped_episodes;
