-- scope: participant
-- Valid scores in their episodes up to the as-of date, and BAM-style subscale scores.
CREATE OR REPLACE TEMP TABLE episode_scores AS
SELECT a.assessment_id, a.participant_id, a.episode_id, a.instrument, a.assessed_on, a.total_score,
       e.admit_date, e.discharge_date, a.treatment_week
FROM assessments AS a
JOIN episodes AS e USING (episode_id)
WHERE a.total_valid AND a.total_score IS NOT NULL AND a.assessed_on <= getvariable('as_of');

-- Subscale scores, when every item of the subscale is answered.
CREATE OR REPLACE TABLE assessment_subscales AS
SELECT i.assessment_id, s.instrument, s.subscale, sum(i.value) AS score,
       any_value(s.flag_at_least) AS flag_at_least, any_value(s.flag_at_most) AS flag_at_most
FROM instrument_subscales AS s
JOIN assessments AS a ON a.instrument = s.instrument
JOIN assessment_items AS i ON i.assessment_id = a.assessment_id AND i.item_number = s.item_number
GROUP BY i.assessment_id, s.instrument, s.subscale
HAVING count(*) = (SELECT count(*) FROM instrument_subscales AS t WHERE t.instrument = s.instrument AND t.subscale = s.subscale);
