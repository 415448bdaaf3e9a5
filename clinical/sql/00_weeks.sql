-- Number and date wording every mart's explanations use.
CREATE OR REPLACE TEMP MACRO day(d) AS strftime(d, '%-d %b %Y');
CREATE OR REPLACE TEMP MACRO num(x) AS CASE WHEN x = round(x) THEN CAST(CAST(x AS BIGINT) AS VARCHAR) ELSE CAST(round(x, 1) AS VARCHAR) END;

-- Each assessment's treatment week in its episode (definitions.sql: the admission day is in week 1),
-- stored so that every mart, query, chart and explanation reads the same number.
ALTER TABLE assessments ADD COLUMN IF NOT EXISTS treatment_week INTEGER;
UPDATE assessments SET treatment_week = NULL WHERE episode_id IS NULL AND treatment_week IS NOT NULL;
UPDATE assessments SET treatment_week = treatment_week(assessments.assessed_on, e.admit_date)
FROM episodes AS e
WHERE e.episode_id = assessments.episode_id
  AND assessments.treatment_week IS DISTINCT FROM treatment_week(assessments.assessed_on, e.admit_date);
