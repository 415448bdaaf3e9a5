-- scope: participant
-- Number and date wording every mart's explanations use.
CREATE OR REPLACE TEMP MACRO day(d) AS strftime(d, '%-d %b %Y');
CREATE OR REPLACE TEMP MACRO num(x) AS CASE WHEN x = round(x) THEN CAST(CAST(x AS BIGINT) AS VARCHAR) ELSE CAST(round(x, 1) AS VARCHAR) END;

-- Each assessment's treatment week in its episode (definitions.sql: the admission day is in week 1),
-- stored so that every mart, query, chart and explanation reads the same number. For the
-- participants in scope (in_scope: everyone, or those a load touched: clinical/scoped.py); main.:
-- the table itself, not their view.
ALTER TABLE main.assessments ADD COLUMN IF NOT EXISTS treatment_week INTEGER;
UPDATE main.assessments AS a SET treatment_week = NULL
WHERE in_scope(a.participant_id) AND a.episode_id IS NULL AND a.treatment_week IS NOT NULL;
UPDATE main.assessments AS a SET treatment_week = treatment_week(a.assessed_on, e.admit_date)
FROM main.episodes AS e
WHERE in_scope(a.participant_id) AND e.episode_id = a.episode_id
  AND a.treatment_week IS DISTINCT FROM treatment_week(a.assessed_on, e.admit_date);
