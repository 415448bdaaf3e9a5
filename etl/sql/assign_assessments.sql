-- Each assessment's episode from assessment_episode (derive.sql), for the participants in scope
-- (in_scope: every participant, or those a load touched: etl/load.py). main.: the table itself,
-- also when the participants' views of clinical/scoped.py are in the search path.
UPDATE main.assessments AS a SET episode_id = NULL
WHERE in_scope(a.participant_id) AND a.episode_id IS NOT NULL
  AND a.assessment_id NOT IN (SELECT assessment_id FROM assessment_episode);
UPDATE main.assessments AS a SET episode_id = x.episode_id
FROM assessment_episode AS x
WHERE x.assessment_id = a.assessment_id AND a.episode_id IS DISTINCT FROM x.episode_id;
