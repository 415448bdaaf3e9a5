-- scope: participant
-- Outcomes judged against a threshold rather than a reliable change (docs/clinical.md, "Substance-use
-- outcomes"): screening totals (a clinical cutoff and no reliable-change index in the catalogue, e.g.
-- AUDIT-C, DAST-10) and subscales with a flag rule (the BAM's Use >= 1, Risk >= 12, Protective <= 12).
-- Per episode x measure: the value at intake (the first in the baseline window), the latest, and
-- whether each is in the flagged range (at or above `at_least`, or at or below `at_most`).
CREATE OR REPLACE TABLE threshold_outcomes AS
WITH totals AS (
    SELECT s.participant_id, s.episode_id, s.instrument, NULL::VARCHAR AS subscale, s.assessed_on, s.total_score AS value,
           s.admit_date, c.clinical_cutoff AS at_least, NULL::DOUBLE AS at_most
    FROM episode_scores AS s JOIN instrument_catalogue AS c USING (instrument)
    WHERE c.reliable_change IS NULL AND c.clinical_cutoff IS NOT NULL
),
subscales AS (
    SELECT a.participant_id, a.episode_id, sub.instrument, sub.subscale, a.assessed_on, sub.score AS value, e.admit_date,
           sub.flag_at_least AS at_least, sub.flag_at_most AS at_most
    FROM assessment_subscales AS sub
    JOIN assessments AS a USING (assessment_id)
    JOIN episodes AS e USING (episode_id)
    WHERE (sub.flag_at_least IS NOT NULL OR sub.flag_at_most IS NOT NULL) AND a.assessed_on <= getvariable('as_of')
),
measured AS (
    SELECT *, (value >= at_least) IS TRUE OR (value <= at_most) IS TRUE AS flagged,
           assessed_on BETWEEN admit_date - getvariable('outcomes_baseline_days_before')
                           AND admit_date + getvariable('outcomes_baseline_days_after') AS at_intake
    FROM (SELECT * FROM totals UNION ALL BY NAME SELECT * FROM subscales)
)
SELECT participant_id, episode_id, instrument, subscale, instrument || coalesce(' ' || subscale, '') AS measure,
       any_value(at_least) AS at_least, any_value(at_most) AS at_most,
       min(assessed_on) FILTER (at_intake) AS intake_date, arg_min(value, assessed_on) FILTER (at_intake) AS intake_value,
       arg_min(flagged, assessed_on) FILTER (at_intake) AS flagged_at_intake,
       max(assessed_on) AS latest_date, arg_max(value, assessed_on) AS latest_value, arg_max(flagged, assessed_on) AS flagged_at_latest,
       max(assessed_on) > min(assessed_on) FILTER (at_intake) AS has_pair
FROM measured
GROUP BY participant_id, episode_id, instrument, subscale
ORDER BY episode_id, measure;
