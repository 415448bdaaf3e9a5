-- scope: participant
-- The equity fields of each episode (docs/clinical.md, "Equity views"), one row per episode x field the
-- program records at all (a field no roster row fills is left out, so pages offer only what exists):
-- payer, referral source, diagnosis group, sex or gender, race, ethnicity as the roster words them, and the
-- site (the roster's, else where most of its sessions took place),
-- 'not recorded' where an episode's is empty (inferred episodes have none). Cohort groupings and the
-- overview's population filter read it (scoped_episodes). Whether the program records a field is the
-- whole program's (main.: also when this runs for some participants only, clinical/scoped.py).
CREATE OR REPLACE TABLE episode_groups AS
WITH long AS (
    SELECT * FROM (SELECT episode_id, payer, referral_source, diagnosis_group, sex_or_gender, race, ethnicity, site FROM episodes)
    UNPIVOT INCLUDE NULLS (value FOR field IN (payer, referral_source, diagnosis_group, sex_or_gender, race, ethnicity, site))
),
recorded AS (
    SELECT DISTINCT field FROM (SELECT payer, referral_source, diagnosis_group, sex_or_gender, race, ethnicity, site FROM main.episodes)
    UNPIVOT (value FOR field IN (payer, referral_source, diagnosis_group, sex_or_gender, race, ethnicity, site))
)
SELECT episode_id, replace(field, '_', ' ') AS field, coalesce(value, 'not recorded') AS value
FROM long
WHERE field IN (SELECT field FROM recorded)
ORDER BY field, episode_id;
