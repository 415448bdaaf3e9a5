-- The episodes a director's filters select: in the date range (overlapping it, for the overview;
-- admitted in it, for cohorts), of a track, clinician and age group ($… NULL = all). Each gets a
-- cohort label along $dimension (month, quarter, track, clinician, age group).
CREATE OR REPLACE TEMP TABLE scoped_episodes AS
SELECT e.*,
       coalesce(e.age_group, 'not recorded') AS age_band,
       CASE $dimension
           WHEN 'month' THEN strftime(e.admit_date, '%Y-%m')
           WHEN 'quarter' THEN CAST(year(e.admit_date) AS VARCHAR) || ' Q' || CAST(quarter(e.admit_date) AS VARCHAR)
           WHEN 'track' THEN coalesce(e.program, 'not recorded')
           WHEN 'clinician' THEN coalesce(e.primary_clinician, 'not recorded')
           WHEN 'age group' THEN coalesce(e.age_group, 'not recorded')
       END AS cohort,
       least(coalesce(e.discharge_date, d.data_as_of), d.data_as_of) AS observed_to,
       d.data_as_of
FROM episodes AS e, dataset_info AS d
WHERE e.admit_date <= CAST($end AS DATE)
  AND CASE WHEN $admitted_in_range THEN e.admit_date >= CAST($start AS DATE)
           ELSE coalesce(e.discharge_date, DATE '9999-12-31') >= CAST($start AS DATE) END
  AND ($program IS NULL OR e.program = $program)
  AND ($clinician IS NULL OR e.primary_clinician = $clinician)
  AND ($age_group IS NULL OR coalesce(e.age_group, 'not recorded') = $age_group);
