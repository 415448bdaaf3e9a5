-- Each selected episode's cohort along $dimension: the cohort page reads its rows once per selection
-- with a cohort of its own for each episode, and groups them along any dimension with these.
SELECT episode_id, cohort
FROM scoped_episodes($start, $end, $program, $clinician, $age_group, $dimension, $admitted_in_range, $group_field, $group_value);
