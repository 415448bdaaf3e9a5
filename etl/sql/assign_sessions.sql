-- Each session's episode from session_episode (derive.sql), for the sessions in one batch of
-- participants: DuckDB holds an update in memory until a checkpoint, so ten million sessions are
-- updated a batch at a time (etl/load.py runs batch 0 … batches - 1, with a checkpoint between).
-- Only participants in scope (in_scope: every participant, or those a load touched); main.: the
-- table itself, also when the participants' views of clinical/scoped.py are in the search path.
UPDATE main.sessions AS s SET episode_id = NULL
WHERE hash(s.participant_id) % getvariable('batches') = getvariable('batch')
  AND in_scope(s.participant_id) AND s.episode_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM session_episode AS x WHERE x.participant_id = s.participant_id
      AND x.session_date = s.session_date AND x.session_slot = s.session_slot);
UPDATE main.sessions AS s SET episode_id = x.episode_id
FROM session_episode AS x
WHERE hash(s.participant_id) % getvariable('batches') = getvariable('batch')
  AND x.participant_id = s.participant_id AND x.session_date = s.session_date
  AND x.session_slot = s.session_slot AND s.episode_id IS DISTINCT FROM x.episode_id;
