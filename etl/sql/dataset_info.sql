-- The data's date (the latest session, score, admission or discharge) and when it was loaded and built:
-- the whole program's, before episodes are derived (their inferred discharges count from it).
CREATE OR REPLACE TABLE dataset_info AS
SELECT
    greatest((SELECT max(session_date) FROM sessions), (SELECT max(assessed_on) FROM assessments),
             (SELECT max(greatest(admit_date, coalesce(discharge_date, admit_date))) FROM roster_admissions)) AS data_as_of,
    (SELECT max(loaded_at) FROM loads) AS last_load_at,
    getvariable('loaded_at') AS built_at;
