-- Subscale scores of every administration in an episode (assessment_subscales), with the catalogue's
-- flag rule and each subscale's range (its items x the item range).
WITH ranges AS (
    SELECT s.instrument, s.subscale, count(*) * any_value(c.item_min) AS low, count(*) * any_value(c.item_max) AS high
    FROM instrument_subscales AS s JOIN instrument_catalogue AS c USING (instrument)
    GROUP BY ALL
)
-- raises_flag: the subscale raises a plan-review flag (instrument_safety: the BAM's Use); the others' cutoffs
-- are the instrument's own levels of concern, shown as such, never as flags.
SELECT a.instrument, a.assessed_on, sub.subscale, sub.score, sub.flag_at_least, sub.flag_at_most, r.low, r.high,
       EXISTS (SELECT 1 FROM instrument_safety AS s WHERE s.instrument = sub.instrument AND s.subscale = sub.subscale)
           AS raises_flag
FROM visible_assessments AS a
JOIN assessment_subscales AS sub USING (assessment_id)
JOIN ranges AS r ON r.instrument = sub.instrument AND r.subscale = sub.subscale
WHERE a.episode_id = $episode_id
-- problems (flagged when high) before strengths (flagged when low), the narrower range first: Use, Risk, Protective
ORDER BY a.instrument, sub.flag_at_most IS NOT NULL, r.high, sub.subscale, a.assessed_on;
