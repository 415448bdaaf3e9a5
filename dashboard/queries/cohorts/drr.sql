-- HEDIS-style DRR (DRR-E): an index PHQ-9 above 9 (the episode's first elevated score in the range),
-- then the most recent PHQ-9 120 to 240 days after it. Response = at least 50 % below the index
-- score; remission = below 5.
WITH index_scores AS (
    SELECT e.cohort, a.participant_id, a.episode_id, min(a.assessed_on) AS index_date,
           arg_min(a.total_score, a.assessed_on) AS index_score
    FROM assessments AS a JOIN scoped_episodes AS e USING (episode_id)
    WHERE a.instrument = 'PHQ-9' AND a.total_valid AND a.total_score > 9
      AND a.assessed_on BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)
    GROUP BY ALL
),
follow_up AS (
    SELECT i.episode_id, arg_max(a.total_score, a.assessed_on) AS follow_up_score, max(a.assessed_on) AS follow_up_date
    FROM index_scores AS i
    JOIN assessments AS a ON a.participant_id = i.participant_id AND a.instrument = 'PHQ-9' AND a.total_valid
     AND a.assessed_on BETWEEN i.index_date + 120 AND i.index_date + 240
    GROUP BY ALL
)
SELECT i.cohort, i.episode_id, i.index_date, i.index_score, f.follow_up_date, f.follow_up_score,
       f.follow_up_score IS NOT NULL AS followed_up,
       f.follow_up_score <= 0.5 * i.index_score AS response,
       f.follow_up_score < 5 AS remission,
       (SELECT data_as_of FROM dataset_info) - i.index_date >= 240 AS window_closed
FROM index_scores AS i LEFT JOIN follow_up AS f USING (episode_id)
ORDER BY 1, 2;
