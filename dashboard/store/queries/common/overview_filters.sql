SELECT (SELECT min(admit_date) FROM visible_episodes) AS first_admission, (SELECT data_as_of FROM dataset_info) AS data_as_of,
       (SELECT list(DISTINCT program ORDER BY program) FROM visible_episodes WHERE program IS NOT NULL) AS tracks,
       (SELECT list(DISTINCT primary_clinician ORDER BY primary_clinician) FROM visible_episodes WHERE primary_clinician IS NOT NULL) AS clinicians,
       (SELECT list(DISTINCT coalesce(age_group, 'not recorded') ORDER BY 1) FROM visible_episodes) AS age_groups,
       -- instruments with outcomes to compare (a total and a reliable-change index); screening totals such as
       -- AUDIT-C are judged against their cutoff in the cohort page's threshold table instead
       (SELECT list(instrument ORDER BY instrument) FROM instrument_catalogue WHERE total_rule = 'sum'
          AND reliable_change IS NOT NULL
          AND instrument IN (SELECT DISTINCT instrument FROM visible_outcomes)) AS instruments,
       setting_text('flags_measure_overdue_instrument') AS primary_instrument,
       (SELECT list(DISTINCT field ORDER BY field) FROM episode_groups) AS group_fields,
       (SELECT list(DISTINCT [g.field, g.value] ORDER BY [g.field, g.value]) FROM episode_groups AS g
          JOIN visible_episodes AS e USING (episode_id)) AS populations;
