-- HEDIS-style DRR (DRR-E): an index PHQ-9 at or above its cutoff (above 9: the episode's first
-- elevated score in the range), then the most recent PHQ-9 120 to 240 days after it. Response = at
-- least the catalogue's response drop (50 %) below the index score; remission = below the
-- catalogue's remission score (5). The instrument is the depression measures' (settings).
WITH phq AS (
    SELECT * FROM instrument_catalogue WHERE instrument = setting_text('quality_measures_depression_instrument')
),
index_scores AS (
    SELECT e.cohort, a.participant_id, a.episode_id, min(a.assessed_on) AS index_date,
           arg_min(a.total_score, a.assessed_on) AS index_score
    FROM visible_assessments AS a JOIN scoped_episodes($start, $end, $program, $clinician, $age_group, $dimension, $admitted_in_range, $group_field, $group_value) AS e USING (episode_id)
    WHERE a.instrument = (SELECT instrument FROM phq) AND a.total_valid AND a.total_score >= (SELECT clinical_cutoff FROM phq)
      AND a.assessed_on BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)
    GROUP BY ALL
),
follow_up AS (
    SELECT i.episode_id, arg_max(a.total_score, a.assessed_on) AS follow_up_score, max(a.assessed_on) AS follow_up_date
    FROM index_scores AS i
    JOIN visible_assessments AS a ON a.participant_id = i.participant_id AND a.instrument = (SELECT instrument FROM phq) AND a.total_valid
     AND a.assessed_on BETWEEN i.index_date + CAST(setting_number('quality_measures_drr_follow_up_from') AS INTEGER)
                           AND i.index_date + CAST(setting_number('quality_measures_drr_follow_up_to') AS INTEGER)
    GROUP BY ALL
)
SELECT i.cohort, i.episode_id, i.index_date, i.index_score, f.follow_up_date, f.follow_up_score,
       f.follow_up_score IS NOT NULL AS followed_up,
       f.follow_up_score <= (1 - (SELECT response_drop FROM phq)) * i.index_score AS response,
       f.follow_up_score < (SELECT remission_below FROM phq) AS remission,
       (SELECT data_as_of FROM dataset_info) - i.index_date >= setting_number('quality_measures_drr_follow_up_to') AS window_closed
FROM index_scores AS i LEFT JOIN follow_up AS f USING (episode_id)
ORDER BY 1, 2;
