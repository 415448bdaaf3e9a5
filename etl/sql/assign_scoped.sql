-- The episodes derive.sql chose (session_episode, assessment_episode) for the sessions and
-- assessments of the participants a load touched, run within their copies (clinical/scoped.py):
-- unqualified names are the copies, main. the tables. Only rows whose episode (or an assessment's
-- treatment week, as 00_weeks.sql stores it) changed are written, to both. A full build writes them
-- with assign_sessions.sql and assign_assessments.sql instead.
CREATE OR REPLACE TEMP TABLE session_moves AS
SELECT s.participant_id, s.session_date, s.session_slot, x.episode_id
FROM sessions AS s
LEFT JOIN session_episode AS x USING (participant_id, session_date, session_slot)
WHERE s.episode_id IS DISTINCT FROM x.episode_id;

UPDATE main.sessions AS s SET episode_id = m.episode_id
FROM session_moves AS m
WHERE s.participant_id = m.participant_id AND s.session_date = m.session_date AND s.session_slot = m.session_slot;
UPDATE sessions AS s SET episode_id = m.episode_id
FROM session_moves AS m
WHERE s.participant_id = m.participant_id AND s.session_date = m.session_date AND s.session_slot = m.session_slot;

CREATE OR REPLACE TEMP TABLE assessment_moves AS
SELECT a.assessment_id, x.episode_id, treatment_week(a.assessed_on, e.admit_date) AS treatment_week
FROM assessments AS a
LEFT JOIN assessment_episode AS x USING (assessment_id)
LEFT JOIN episodes AS e ON e.episode_id = x.episode_id
WHERE a.episode_id IS DISTINCT FROM x.episode_id
   OR a.treatment_week IS DISTINCT FROM treatment_week(a.assessed_on, e.admit_date);

UPDATE main.assessments AS a SET episode_id = m.episode_id, treatment_week = m.treatment_week
FROM assessment_moves AS m WHERE a.assessment_id = m.assessment_id;
UPDATE assessments AS a SET episode_id = m.episode_id, treatment_week = m.treatment_week
FROM assessment_moves AS m WHERE a.assessment_id = m.assessment_id;
