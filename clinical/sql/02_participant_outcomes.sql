-- scope: participant
-- One row per episode x instrument the participant was scored on (in the episode, or in the
-- lookback before admission): baseline, latest, change and the Jacobson & Truax category, and for
-- insufficient data the reason (outcome_note). Rules: docs/clinical.md (clinical-rules.md, "Episode outcomes").
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
           arg_max(total_score, assessed_on) AS latest_score, count(*) AS n_scores,
           min(treatment_week) AS first_week
    FROM episode_scores GROUP BY ALL
),
scored_before AS (
    -- instruments the participant was scored on in the months before admission, with no score in the
    -- episode: the episode still has an outcome row on them (insufficient data), so it stays counted
    SELECT e.participant_id, e.episode_id, a.instrument, max(a.assessed_on) AS last_before
    FROM episodes AS e
    JOIN assessments AS a ON a.participant_id = e.participant_id AND a.total_valid AND a.total_score IS NOT NULL
     AND a.assessed_on BETWEEN e.admit_date - getvariable('outcomes_lookback_days') AND e.admit_date
     AND a.assessed_on <= getvariable('as_of')
    WHERE e.admit_date <= getvariable('as_of')
    GROUP BY ALL
),
pairs AS (
    SELECT participant_id, episode_id, instrument FROM latest
    UNION
    SELECT participant_id, episode_id, instrument FROM scored_before
),
joined AS (
    SELECT p.participant_id, p.episode_id, p.instrument, b.baseline_date, b.baseline_score,
           l.latest_date, l.latest_score, coalesce(l.n_scores, 0) AS n_scores, l.first_week, sb.last_before,
           c.clinical_cutoff, c.reliable_change AS reliable_change_points, c.response_drop, c.remission_below,
           c.severe_from,
           CASE WHEN c.higher_is_worse THEN 1 ELSE -1 END AS worse_sign,
           coalesce(b.baseline_score IS NOT NULL AND l.latest_date > b.baseline_date, false) AS has_pair
    FROM pairs AS p
    LEFT JOIN latest AS l USING (episode_id, instrument)
    LEFT JOIN baseline AS b USING (episode_id, instrument)
    LEFT JOIN scored_before AS sb USING (episode_id, instrument)
    JOIN instrument_catalogue AS c ON c.instrument = p.instrument
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
        CASE WHEN has_pair AND reliable_change_points IS NOT NULL THEN reliably_worse(worsening, reliable_change_points) END AS reliable_deterioration,
        CASE WHEN has_pair AND reliable_change_points IS NOT NULL THEN reliably_better(worsening, reliable_change_points) END AS reliable_improvement,
        CASE
            WHEN has_pair THEN NULL
            WHEN n_scores = 0 THEN format('no score in this episode; the last was on {} (before admission)',
                                          strftime(last_before, '%-d %b %Y'))
            WHEN baseline_score IS NULL THEN format('no baseline from {} days before to {} days after admission; the first score is from week {}',
                                                    getvariable('outcomes_baseline_days_before'),
                                                    getvariable('outcomes_baseline_days_after'), first_week)
            ELSE 'only the baseline: no later score yet'
        END AS outcome_note
    FROM scored
)
SELECT participant_id, episode_id, final.instrument, baseline_date, baseline_score, latest_date, latest_score, n_scores,
       change, reliable_change_points, jt_category, response, remission,
       reliable_improvement, reliable_deterioration, clinical_cutoff, baseline_is_case,
       bb.label AS baseline_band, lb.label AS latest_band, worse_sign, severe_from, outcome_note
FROM final
LEFT JOIN instrument_bands AS bb ON bb.instrument = final.instrument AND final.baseline_score BETWEEN bb.band_from AND bb.band_to
LEFT JOIN instrument_bands AS lb ON lb.instrument = final.instrument AND final.latest_score BETWEEN lb.band_from AND lb.band_to
ORDER BY participant_id, episode_id, instrument;
