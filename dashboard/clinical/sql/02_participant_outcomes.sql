-- One row per episode x instrument: baseline, latest, change and the Jacobson & Truax category.
-- Rules: docs/clinical.md (clinical-rules.md, "Episode outcomes").
CREATE OR REPLACE TABLE participant_outcomes AS
WITH baseline AS (
    SELECT episode_id, instrument, min(assessed_on) AS baseline_date, arg_min(total_score, assessed_on) AS baseline_score
    FROM episode_scores
    WHERE assessed_on BETWEEN admit_date - getvariable('outcomes_baseline_days_before')
                          AND admit_date + getvariable('outcomes_baseline_days_after')
    GROUP BY ALL
),
latest AS (
    SELECT participant_id, episode_id, instrument, max(assessed_on) AS latest_date,
           arg_max(total_score, assessed_on) AS latest_score, count(*) AS n_scores
    FROM episode_scores GROUP BY ALL
),
joined AS (
    SELECT l.participant_id, l.episode_id, l.instrument, b.baseline_date, b.baseline_score,
           l.latest_date, l.latest_score, l.n_scores,
           c.clinical_cutoff, c.reliable_change AS reliable_change_points, c.response_drop, c.remission_below,
           c.severe_from,
           CASE WHEN c.higher_is_worse THEN 1 ELSE -1 END AS worse_sign,
           b.baseline_score IS NOT NULL AND l.latest_date > b.baseline_date AS has_pair
    FROM latest AS l
    LEFT JOIN baseline AS b USING (episode_id, instrument)
    JOIN instrument_catalogue AS c USING (instrument)
    WHERE c.total_rule = 'sum'
),
scored AS (
    SELECT *,
        CASE WHEN has_pair THEN latest_score - baseline_score END AS change,
        CASE WHEN has_pair THEN (latest_score - baseline_score) * worse_sign END AS worsening,
        (baseline_score - clinical_cutoff) * worse_sign >= 0 AS baseline_is_case,
        (latest_score - clinical_cutoff) * worse_sign >= 0 AS latest_is_case
    FROM joined
),
final AS (
    SELECT *,
        CASE
            WHEN reliable_change_points IS NULL OR clinical_cutoff IS NULL THEN NULL  -- screening instruments
            WHEN NOT has_pair THEN 'insufficient_data'
            WHEN NOT baseline_is_case THEN 'not_a_case'
            WHEN worsening <= -reliable_change_points AND NOT latest_is_case THEN 'recovered'
            WHEN worsening <= -reliable_change_points THEN 'improved'
            WHEN worsening >= reliable_change_points THEN 'deteriorated'
            ELSE 'unchanged'
        END AS jt_category,
        -- response and remission apply to episodes that start in the clinical range (as NQF 1884 and
        -- HEDIS DRR-E apply them to an elevated index score)
        CASE WHEN has_pair AND baseline_is_case AND response_drop IS NOT NULL AND baseline_score <> 0
             THEN -worsening >= response_drop * abs(baseline_score) END AS response,
        CASE WHEN has_pair AND baseline_is_case AND remission_below IS NOT NULL
             THEN latest_score * worse_sign < remission_below * worse_sign END AS remission,
        CASE WHEN has_pair AND reliable_change_points IS NOT NULL THEN worsening >= reliable_change_points END AS reliable_deterioration,
        CASE WHEN has_pair AND reliable_change_points IS NOT NULL THEN worsening <= -reliable_change_points END AS reliable_improvement
    FROM scored
)
SELECT participant_id, episode_id, final.instrument, baseline_date, baseline_score, latest_date, latest_score, n_scores,
       change, reliable_change_points, jt_category, response, remission,
       reliable_improvement, reliable_deterioration, clinical_cutoff, baseline_is_case,
       bb.label AS baseline_band, lb.label AS latest_band, worse_sign, severe_from
FROM final
LEFT JOIN instrument_bands AS bb ON bb.instrument = final.instrument AND final.baseline_score BETWEEN bb.band_from AND bb.band_to
LEFT JOIN instrument_bands AS lb ON lb.instrument = final.instrument AND final.latest_score BETWEEN lb.band_from AND lb.band_to
ORDER BY participant_id, episode_id, instrument;
