-- Out-of-sample check of the below-expected flag at one treatment week ($week): bands are built
-- from the completed episodes of the other folds (as 04_expected_response.sql builds them), and
-- each episode is flagged when its score that week is worse than the 80th percentile.
-- Needs the marts of a loaded database (participant_outcomes, episode_scores from 01_scores.sql).
WITH episodes_judged AS (
    SELECT t.episode_id, t.instrument, t.intake_stratum, po.latest_date, po.reliable_improvement,
           po.worse_sign, hash(t.episode_id) % getvariable('folds') AS fold
    FROM episode_strata AS t JOIN participant_outcomes AS po USING (episode_id, instrument)
    WHERE t.completed AND po.reliable_change_points IS NOT NULL
),
weekly AS (
    SELECT s.episode_id, s.instrument, s.treatment_week, arg_max(s.total_score, s.assessed_on) AS score,
           max(s.assessed_on) AS scored_on
    FROM episode_scores AS s JOIN episodes_judged USING (episode_id, instrument)
    WHERE s.treatment_week BETWEEN 1 AND getvariable('expected_response_max_week')
    GROUP BY ALL
),
folds AS (SELECT DISTINCT fold FROM episodes_judged),
bands AS (
    -- for each held-out fold: percentiles from every other fold's episodes
    SELECT f.fold, e.instrument, e.intake_stratum, w.treatment_week, count(*) AS n,
           quantile_cont(w.score, 0.8) AS p80
    FROM folds AS f
    JOIN episodes_judged AS e ON e.fold <> f.fold
    JOIN weekly AS w USING (episode_id, instrument)
    GROUP BY ALL
),
training_size AS (
    SELECT f.fold, e.instrument, count(*) AS completed_episodes
    FROM folds AS f JOIN episodes_judged AS e ON e.fold <> f.fold GROUP BY ALL
),
checked AS (
    -- episodes with a score in the checked week and a later final score
    SELECT e.*, w.score,
           b.p80 IS NOT NULL AND k.completed_episodes >= getvariable('expected_response_min_completed_episodes')
               AND b.n >= getvariable('expected_response_min_cell_episodes') AS band_available,
           coalesce((w.score - b.p80) * e.worse_sign > 0, false) AS flagged
    FROM episodes_judged AS e
    JOIN weekly AS w ON w.episode_id = e.episode_id AND w.instrument = e.instrument AND w.treatment_week = getvariable('week')
    LEFT JOIN bands AS b ON b.fold = e.fold AND b.instrument = e.instrument AND b.intake_stratum = e.intake_stratum
                        AND b.treatment_week = getvariable('week')
    LEFT JOIN training_size AS k ON k.fold = e.fold AND k.instrument = e.instrument
    WHERE e.latest_date > w.scored_on
)
SELECT instrument,
       count(*) AS episodes,
       count(*) FILTER (band_available) AS with_band,
       count(*) FILTER (NOT reliable_improvement) AS without_reliable_improvement,
       count(*) FILTER (flagged) AS flagged,
       count(*) FILTER (flagged AND NOT reliable_improvement) AS flagged_without_improvement,
       round(count(*) FILTER (flagged AND NOT reliable_improvement) / nullif(count(*) FILTER (NOT reliable_improvement), 0), 3) AS sensitivity,
       round(count(*) FILTER (flagged) / count(*), 3) AS flag_rate,
       round(count(*) FILTER (flagged AND NOT reliable_improvement) / nullif(count(*) FILTER (flagged), 0), 3) AS ppv
FROM checked
GROUP BY instrument
ORDER BY instrument;
