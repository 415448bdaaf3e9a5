-- Latest score, change since baseline and the latest week's expected-recovery status per
-- instrument for open episodes.
WITH latest_status AS (
    SELECT episode_id, instrument, status FROM visible_recovery_status
    QUALIFY row_number() OVER (PARTITION BY episode_id, instrument ORDER BY treatment_week DESC) = 1
)
SELECT po.episode_id, po.instrument, po.latest_score, po.change, po.latest_date, po.jt_category,
       r.status AS recovery_status
FROM visible_outcomes AS po
JOIN visible_episodes AS e USING (episode_id)
LEFT JOIN latest_status AS r USING (episode_id, instrument)
WHERE po.latest_score IS NOT NULL
  AND (e.discharge_date IS NULL OR e.discharge_date > (SELECT data_as_of FROM dataset_info))
ORDER BY po.episode_id, po.instrument;
