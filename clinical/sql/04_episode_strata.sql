-- scope: participant
-- Each episode's intake stratum and whether it completed treatment (what the program's expected
-- response and expected recovery learn from, 04a and 04b), and its last valid score in each
-- treatment week with its intake score.
CREATE OR REPLACE TEMP TABLE episode_strata AS
SELECT po.episode_id, po.instrument, po.baseline_score,
       coalesce(po.baseline_band, CASE WHEN po.baseline_is_case THEN 'at or above cutoff' ELSE 'below cutoff' END) AS intake_stratum,
       e.discharge_date IS NOT NULL AND e.discharge_date <= getvariable('as_of')
           AND list_contains(getvariable('outcomes_completed_teds_codes'), e.discharge_teds_code) AS completed
FROM participant_outcomes AS po
JOIN episodes AS e USING (episode_id)
WHERE po.baseline_score IS NOT NULL;


-- Each episode's last valid score in each treatment week, with its intake score.
CREATE OR REPLACE TEMP TABLE recovery_weekly AS
SELECT s.episode_id, s.instrument, t.baseline_score AS intake, s.treatment_week AS week,
       arg_max(s.total_score, s.assessed_on) AS score, max(s.assessed_on) AS scored_on
FROM episode_scores AS s JOIN episode_strata AS t USING (episode_id, instrument)
WHERE s.treatment_week >= 1
GROUP BY ALL;
