-- Latest score and change since baseline per instrument for open episodes.
SELECT po.episode_id, po.instrument, po.latest_score, po.change, po.latest_date, po.jt_category
FROM visible_outcomes AS po
JOIN visible_episodes AS e USING (episode_id)
WHERE po.latest_score IS NOT NULL
  AND (e.discharge_date IS NULL OR e.discharge_date > (SELECT data_as_of FROM dataset_info))
ORDER BY po.episode_id, po.instrument;
