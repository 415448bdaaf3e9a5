-- Each instrument's outcome in the episode, with its expected-recovery status in the latest week
-- judged (recovery_status: on track, at risk, not on track, no expected range).
WITH latest_status AS (
    SELECT * FROM visible_recovery_status WHERE episode_id = $episode_id
    QUALIFY row_number() OVER (PARTITION BY instrument ORDER BY treatment_week DESC) = 1
)
SELECT po.*, c.name AS instrument_name, c.total_min, c.total_max,
       r.status AS recovery_status, r.treatment_week AS recovery_week, r.explanation AS recovery_explanation
FROM visible_outcomes AS po JOIN instrument_catalogue AS c USING (instrument)
LEFT JOIN latest_status AS r USING (episode_id, instrument)
WHERE po.episode_id = $episode_id ORDER BY po.instrument;
