-- scope: participant
-- Each episode's status in each treatment week from first_week: on track, at risk, not on track.
CREATE OR REPLACE TABLE recovery_status AS
SELECT w.episode_id, w.instrument, w.week AS treatment_week, w.scored_on, w.score, w.intake AS intake_score,
       x.p25, x.p50, x.p75, x.at_risk_limit, x.off_track_limit, x.n_episodes,
       CASE WHEN getvariable('expected_response_alert_rule') = 'percent_change'    -- the program's one-line rule
            THEN CASE WHEN short_of_percent_change(w.score, w.intake, po.worse_sign) THEN 'not on track' ELSE 'on track' END
            WHEN NOT x.available THEN 'no expected range'
            WHEN (w.score - x.off_track_limit) * po.worse_sign > 0 THEN 'not on track'
            WHEN (w.score - x.at_risk_limit) * po.worse_sign > 0 THEN 'at risk'
            ELSE 'on track' END AS status,
       CASE WHEN getvariable('expected_response_alert_rule') = 'percent_change'
            THEN format('{} {} in week {}: {} than intake {}; the alert in use flags {}',
                        w.instrument, num(w.score), w.week, CASE WHEN improvement_share(w.score, w.intake, po.worse_sign) >= 0
                            THEN num(round(100 * improvement_share(w.score, w.intake, po.worse_sign))) || ' % better'
                            ELSE num(round(-100 * improvement_share(w.score, w.intake, po.worse_sign))) || ' % worse' END,
                        num(w.intake),
                        CASE WHEN getvariable('expected_response_percent_change_min_improvement') > 0
                             THEN 'less than ' || num(round(100 * getvariable('expected_response_percent_change_min_improvement'))) || ' % better'
                             WHEN getvariable('expected_response_percent_change_min_improvement') = 0 THEN 'worse than intake'
                             ELSE 'more than ' || num(round(-100 * getvariable('expected_response_percent_change_min_improvement'))) || ' % worse' END)
            WHEN NOT x.available THEN x.note
            ELSE format('{} {} in week {}; people starting at {} {} usually {}–{} by week {} ({}); {} {} is not on track',
                        w.instrument, num(w.score), w.week, num(w.intake),
                        CASE WHEN x.range_source = 'published' THEN 'in published trials are' ELSE 'here are' END,
                        num(least(x.p25, x.p75)), num(greatest(x.p25, x.p75)), x.treatment_week,
                        CASE WHEN x.range_source = 'published'
                             THEN format('the middle half of {} trial participants of similar severity, scaled to this intake; the program has {} completed episodes, {} needed for its own',
                                         x.n_episodes, x.completed_episodes, getvariable('expected_response_min_completed_episodes'))
                             ELSE format('the middle half of {} similar completed episodes', x.n_episodes) END,
                        CASE WHEN po.worse_sign > 0 THEN 'above' ELSE 'below' END, num(x.off_track_limit))
       END AS explanation
FROM recovery_weekly AS w
JOIN participant_outcomes AS po USING (episode_id, instrument)
JOIN expected_recovery AS x ON x.instrument = w.instrument AND x.intake_score = w.intake
                           AND x.treatment_week = least(w.week, getvariable('expected_response_max_week'))
WHERE w.week >= getvariable('expected_response_first_week')
ORDER BY 1, 2, 3;
