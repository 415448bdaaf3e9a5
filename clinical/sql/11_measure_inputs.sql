-- scope: participant
-- Whom the quality measures may count (docs/measures.md, the conformance table): each participant's
-- diagnoses by value set (the diagnoses export's ICD-10 codes against quality_measures/value_sets),
-- where their diagnoses come from, and what the roster says of their age. Temp tables and macros
-- read by 11_quality_measures.sql and 12_measures_as_specified.sql.

-- each diagnosis in every value set one of whose prefixes its code starts with (dots ignored);
-- open-ended diagnoses are active to the end of time. lookback: 'history' (any diagnosis up to an
-- exclusion's end counts) or 'period' (palliative care: only one active from the period's start)
CREATE OR REPLACE TEMP TABLE measure_dx AS
SELECT DISTINCT d.participant_id, c.value_set, v.lookback, d.icd10_code, d.start_date,
       coalesce(d.end_date, DATE '9999-12-31') AS end_date
FROM diagnoses AS d
JOIN measure_value_set_codes AS c ON starts_with(replace(upper(d.icd10_code), '.', ''), c.prefix)
JOIN measure_value_sets AS v USING (value_set);

-- where a participant's diagnoses come from: the diagnoses export when it lists any for them, else
-- the roster's diagnosis group when the program records one, else nothing (the measure's
-- without_diagnosis says what is counted then). Whether the program records groups is the whole
-- program's (main.: also when this runs for some participants only, clinical/scoped.py).
CREATE OR REPLACE TEMP TABLE measure_dx_source AS
SELECT p.participant_id,
       CASE WHEN x.participant_id IS NOT NULL THEN 'ICD-10 diagnoses'
            WHEN (SELECT count(diagnosis_group) > 0 FROM main.episodes) THEN 'roster diagnosis group'
            ELSE 'not recorded' END AS dx_source
FROM participants AS p
LEFT JOIN (SELECT DISTINCT participant_id FROM diagnoses) AS x USING (participant_id);

-- a roster diagnosis group as the measures compare it: case and spacing ignored, as the loader does
-- for every coded value
CREATE OR REPLACE TEMP MACRO group_key(g) AS lower(regexp_replace(trim(g), '\s+', ' ', 'g'));
CREATE OR REPLACE TEMP MACRO in_groups(groups, g) AS list_contains(list_transform(groups, lambda x: group_key(x)), group_key(g));

-- what the roster says of each participant's age: a birth date, else an age at an admission, else a
-- birth year (the latest admission's that gives one)
CREATE OR REPLACE TEMP TABLE measure_births AS
SELECT participant_id,
       arg_max(birth_date, admit_date) FILTER (birth_date IS NOT NULL) AS birth_date,
       arg_max(age_at_admission, admit_date) FILTER (age_at_admission IS NOT NULL) AS age_at_admission,
       max(admit_date) FILTER (age_at_admission IS NOT NULL) AS age_admit_date,
       arg_max(birth_year, admit_date) FILTER (birth_year IS NOT NULL) AS birth_year
FROM roster_admissions
GROUP BY ALL;

-- the lowest and highest age the roster allows on day d: exact from a birth date; one year wide from
-- an age at admission or a birth year; NULL when the roster says nothing
CREATE OR REPLACE TEMP MACRO age_low(dob, age_then, admitted, yob, d) AS
    CASE WHEN dob IS NOT NULL THEN full_years(dob, d)
         WHEN age_then IS NOT NULL THEN
             CASE WHEN d >= admitted THEN age_then + full_years(admitted, d) ELSE age_then - full_years(d, admitted) - 1 END
         WHEN yob IS NOT NULL THEN year(d) - yob - 1 END;
CREATE OR REPLACE TEMP MACRO age_high(dob, age_then, admitted, yob, d) AS
    CASE WHEN dob IS NOT NULL THEN full_years(dob, d)
         ELSE age_low(dob, age_then, admitted, yob, d) + 1 END;
-- why someone is outside a measure's ages on day d (NULL: inside, or no age recorded), in words
CREATE OR REPLACE TEMP MACRO age_problem(min_age, dob, age_then, admitted, yob, d, what) AS
    CASE WHEN min_age IS NULL THEN NULL
         WHEN age_high(dob, age_then, admitted, yob, d) < min_age
             THEN 'aged ' || age_high(dob, age_then, admitted, yob, d) || ' at ' || what || ' (under ' || min_age || ')'
         WHEN age_low(dob, age_then, admitted, yob, d) < min_age
             THEN 'aged ' || age_low(dob, age_then, admitted, yob, d) || ' or ' || age_high(dob, age_then, admitted, yob, d)
                  || ' at ' || what || ': the roster gives no date of birth to tell'
    END;
