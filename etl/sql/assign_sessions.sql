-- Each session's episode from session_episode (derive.sql), for the sessions in one batch of
-- participants: DuckDB holds an update in memory until a checkpoint, so ten million sessions are
-- updated a batch at a time (etl/load.py runs batch 0 … batches - 1, with a checkpoint between).
UPDATE sessions SET episode_id = NULL
WHERE hash(participant_id) % getvariable('batches') = getvariable('batch')
  AND episode_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM session_episode AS x WHERE x.participant_id = sessions.participant_id
      AND x.session_date = sessions.session_date AND x.session_slot = sessions.session_slot);
UPDATE sessions SET episode_id = x.episode_id
FROM session_episode AS x
WHERE hash(sessions.participant_id) % getvariable('batches') = getvariable('batch')
  AND x.participant_id = sessions.participant_id AND x.session_date = sessions.session_date
  AND x.session_slot = sessions.session_slot AND sessions.episode_id IS DISTINCT FROM x.episode_id;
