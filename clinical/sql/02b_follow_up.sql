-- scope: participant
-- Follow-up after discharge (docs/clinical.md, "Follow-up after discharge"). A valid score taken
-- after an episode's discharge, up to outcomes.follow_up_days after it, that no episode holds (a
-- readmission's scores are its own), is the discharged episode's follow-up: never its latest
-- in-treatment score (participant_outcomes reads only the episode's own scores) and never an
-- episode of its own (episodes come from the roster and attendance only).
CREATE OR REPLACE TABLE follow_up_scores AS
SELECT a.assessment_id, e.participant_id, e.episode_id, a.instrument, a.assessed_on, a.total_score,
       a.assessed_on - e.discharge_date AS days_after_discharge
FROM assessments AS a
JOIN episodes AS e ON e.participant_id = a.participant_id
 AND a.assessed_on > e.discharge_date
 AND a.assessed_on <= e.discharge_date + getvariable('outcomes_follow_up_days')
WHERE a.episode_id IS NULL AND a.total_valid AND a.total_score IS NOT NULL AND a.assessed_on <= getvariable('as_of')
QUALIFY row_number() OVER (PARTITION BY a.assessment_id ORDER BY e.discharge_date DESC) = 1
ORDER BY e.episode_id, a.instrument, a.assessed_on;

-- Per discharged episode x instrument with an intake score: its latest follow-up, whether the
-- episode counts in the follow-up denominator (its window has closed by the as-of date: counting a
-- recent discharge only once it is followed up made a recent cohort 100 % followed up), and whether a reliable improvement at discharge held at follow-up (the
-- follow-up score still at least the reliable-change points better than intake).
CREATE OR REPLACE TABLE follow_up_outcomes AS
WITH latest AS (
    SELECT episode_id, instrument, max(assessed_on) AS follow_up_date, arg_max(total_score, assessed_on) AS follow_up_score,
           count(*) AS n_follow_ups
    FROM follow_up_scores GROUP BY ALL
)
SELECT po.participant_id, po.episode_id, po.instrument, e.discharge_date, po.baseline_score,
       po.latest_score AS discharge_score, coalesce(po.reliable_improvement, false) AS improved_at_discharge,
       l.follow_up_date, l.follow_up_score, l.follow_up_date - e.discharge_date AS days_after_discharge,
       coalesce(l.n_follow_ups, 0) AS n_follow_ups,
       l.follow_up_score - po.baseline_score AS follow_up_change,
       l.follow_up_date IS NOT NULL AS followed_up,
       e.discharge_date + getvariable('outcomes_follow_up_days') < getvariable('as_of') AS follow_up_due,
       CASE WHEN l.follow_up_date IS NOT NULL AND po.reliable_change_points IS NOT NULL
            THEN (po.baseline_score - l.follow_up_score) * po.worse_sign >= po.reliable_change_points END
           AS reliably_improved_at_follow_up,
       coalesce(po.reliable_improvement, false) AND l.follow_up_date IS NOT NULL
           AND (po.baseline_score - l.follow_up_score) * po.worse_sign >= po.reliable_change_points AS sustained
FROM participant_outcomes AS po
JOIN episodes AS e USING (episode_id)
LEFT JOIN latest AS l USING (episode_id, instrument)
WHERE e.discharge_date IS NOT NULL AND e.discharge_date <= getvariable('as_of') AND po.baseline_score IS NOT NULL
ORDER BY po.episode_id, po.instrument;
