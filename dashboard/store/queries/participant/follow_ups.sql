-- The episode's follow-up after discharge: every follow-up score (follow_up_scores), and per
-- instrument the latest with what it says of the improvement at discharge (follow_up_outcomes).
SELECT s.instrument, s.assessed_on, s.total_score, s.days_after_discharge,
       o.improved_at_discharge, o.reliably_improved_at_follow_up, o.sustained,
       s.assessed_on = o.follow_up_date AS latest
FROM visible_follow_up_scores AS s
LEFT JOIN visible_follow_up_outcomes AS o USING (episode_id, instrument)
WHERE s.episode_id = $episode_id
ORDER BY s.instrument, s.assessed_on;
