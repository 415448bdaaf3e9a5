-- The TEDS-style discharge extract (docs/measures.md, "Discharge extract"): one row per discharge in
-- the range, with its TEDS-D REASON code, dates, length of stay, level of care and last contact (the
-- last attended session of the episode).
SELECT e.episode_id, e.participant_id, e.admit_date, e.discharge_date,
       e.discharge_date - e.admit_date AS length_of_stay_days, e.level_of_care, e.program,
       e.discharge_teds_code, t.label AS teds_reason, e.discharge_reason,
       (SELECT max(s.session_date) FROM visible_sessions AS s WHERE s.episode_id = e.episode_id AND s.attended) AS last_contact_date
FROM scoped_episodes($start, $end, $program, $clinician, $age_group, 'track', FALSE, $group_field, $group_value) AS e
LEFT JOIN teds_reasons AS t ON t.code = e.discharge_teds_code
WHERE e.discharge_date BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)
ORDER BY e.discharge_date, e.episode_id;
