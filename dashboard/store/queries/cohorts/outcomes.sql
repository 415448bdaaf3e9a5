-- One row per selected episode with its outcome on $instrument (NULL outcome columns when none) and its
-- follow-up after discharge (follow_up_outcomes: in the denominator, followed up, improved, sustained).
SELECT e.cohort, e.episode_id, e.admit_date, e.discharge_date, e.discharge_teds_code, e.observed_to,
       po.baseline_score, po.latest_score, po.change, po.jt_category, po.response, po.remission,
       po.reliable_change_points, po.clinical_cutoff, po.n_scores, po.baseline_is_case,
       c.response_drop IS NOT NULL OR c.remission_below IS NOT NULL AS has_rates,
       coalesce(fu.follow_up_due, false) AS follow_up_due, coalesce(fu.followed_up AND fu.follow_up_due, false) AS followed_up,
       coalesce(fu.improved_at_discharge AND fu.followed_up, false) AS improved_followed_up,
       coalesce(fu.sustained, false) AS sustained
FROM scoped_episodes($start, $end, $program, $clinician, $age_group, $dimension, $admitted_in_range, $group_field, $group_value) AS e
LEFT JOIN visible_outcomes AS po ON po.episode_id = e.episode_id AND po.instrument = $instrument
LEFT JOIN visible_follow_up_outcomes AS fu ON fu.episode_id = e.episode_id AND fu.instrument = $instrument
LEFT JOIN instrument_catalogue AS c ON c.instrument = $instrument
ORDER BY e.cohort, e.episode_id;
