-- A participant's episodes (those this request may see), newest first, with the treatment week
-- each has reached (of its discharge, or of the data date while open) and its number among them
-- (1 = the first), for labels such as "Episode 2: 19 Dec 2025 – open".
SELECT e.*, d.data_as_of,
       treatment_week(least(coalesce(e.discharge_date, d.data_as_of), d.data_as_of), e.admit_date) AS week_in_program,
       row_number() OVER (ORDER BY e.admit_date) AS episode_number
FROM visible_episodes AS e, dataset_info AS d
WHERE lower(e.participant_id) = lower(trim($participant_id))
ORDER BY e.admit_date DESC;
