-- scope: participant
-- Each episode's last valid score of each instrument in each treatment week 1..max_week (settings
-- expected_response.max_week; the stored treatment_week): what the cohort page's weekly means
-- read. Built once per load: read per selection it was most of the cohort page's time at 50 k.
CREATE OR REPLACE TABLE episode_week_scores AS
SELECT episode_id, instrument, treatment_week AS week, arg_max(total_score, assessed_on) AS score
FROM assessments
WHERE total_valid AND total_score IS NOT NULL AND episode_id IS NOT NULL
  AND treatment_week BETWEEN 1 AND getvariable('expected_response_max_week')
GROUP BY ALL
ORDER BY episode_id, instrument, week;
