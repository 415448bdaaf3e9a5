-- scope: participant
-- Rebuilt after every load from the core tables: participants, episodes (from the roster, or
-- inferred from attendance), and which episode holds each session and assessment (written by
-- assign_sessions.sql and assign_assessments.sql). For the participants a load touched only, when
-- it runs within clinical/scoped.py's views (etl/load.py decides).
-- The episode rules are written out in docs/episodes.md.

CREATE OR REPLACE TABLE episodes AS
WITH as_of AS (SELECT data_as_of FROM dataset_info),
roster AS (
    SELECT participant_id, admit_date, discharge_date, discharge_reason, discharge_teds_code, program,
           level_of_care, primary_clinician, age_group, aftercare_plan, aftercare_note,
           payer, referral_source, diagnosis_group, sex_or_gender, race, ethnicity, site,
           false AS inferred, NULL::DATE AS last_attended,
           coalesce(discharge_date, DATE '9999-12-31') AS window_end
    FROM roster_admissions
),
attended AS (
    SELECT DISTINCT participant_id, session_date
    FROM sessions
    WHERE attended
      AND participant_id NOT IN (SELECT participant_id FROM roster_admissions)
),
starts AS (
    SELECT *, coalesce(session_date - lag(session_date) OVER (PARTITION BY participant_id ORDER BY session_date) > getvariable('inferred_gap'),
                       true)::INTEGER AS is_start
    FROM attended
),
numbered AS (
    SELECT *, sum(is_start) OVER (PARTITION BY participant_id ORDER BY session_date ROWS UNBOUNDED PRECEDING) AS n
    FROM starts
),
spans AS (
    SELECT participant_id, min(session_date) AS admit_date, max(session_date) AS last_attended
    FROM numbered GROUP BY participant_id, n
),
inferred AS (
    SELECT spans.participant_id, spans.admit_date,
        CASE WHEN as_of.data_as_of - spans.last_attended > getvariable('inferred_gap') THEN spans.last_attended END AS discharge_date,
        spans.last_attended,
        CASE WHEN as_of.data_as_of - spans.last_attended > getvariable('inferred_gap')
             THEN spans.last_attended + getvariable('inferred_gap') ELSE DATE '9999-12-31' END AS window_end
    FROM spans, as_of
),
stated AS (
    -- how often each episode's sessions state each track and clinician: counted with an aggregate
    -- DuckDB can spill to disk (mode() holds every episode's values in memory)
    SELECT i.participant_id, i.admit_date, s.program, s.clinician, count(*) AS n,
           count(*) FILTER (s.session_type IN ('individual', 'family')) AS n_own
    FROM inferred AS i
    JOIN sessions AS s ON s.participant_id = i.participant_id AND s.session_date BETWEEN i.admit_date AND i.window_end
    GROUP BY ALL
),
programs AS (   -- the track stated most often (ties: the first by name)
    SELECT participant_id, admit_date, program FROM (
        SELECT participant_id, admit_date, program, sum(n) AS n FROM stated WHERE program IS NOT NULL GROUP BY ALL)
    QUALIFY row_number() OVER (PARTITION BY participant_id, admit_date ORDER BY n DESC, program) = 1
),
clinicians AS ( -- the clinician of most individual and family sessions, else of most sessions
    SELECT participant_id, admit_date, clinician FROM (
        SELECT participant_id, admit_date, clinician, sum(n) AS n, sum(n_own) AS n_own
        FROM stated WHERE clinician IS NOT NULL GROUP BY ALL)
    QUALIFY row_number() OVER (PARTITION BY participant_id, admit_date ORDER BY n_own DESC, n DESC, clinician) = 1
),
inferred_detail AS (
    SELECT i.participant_id, i.admit_date, p.program, c.clinician AS primary_clinician
    FROM inferred AS i
    LEFT JOIN programs AS p USING (participant_id, admit_date)
    LEFT JOIN clinicians AS c USING (participant_id, admit_date)
),
session_sites AS ( -- for an episode whose roster row names no site: the site its sessions state most (ties: the first by name)
    SELECT participant_id, admit_date, site FROM (
        SELECT w.participant_id, w.admit_date, s.site, count(*) AS n
        FROM (SELECT participant_id, admit_date, window_end FROM roster WHERE site IS NULL
              UNION ALL SELECT participant_id, admit_date, window_end FROM inferred) AS w
        JOIN sessions AS s ON s.participant_id = w.participant_id AND s.session_date BETWEEN w.admit_date AND w.window_end
        WHERE s.site IS NOT NULL
        GROUP BY ALL)
    QUALIFY row_number() OVER (PARTITION BY participant_id, admit_date ORDER BY n DESC, site) = 1
),
participant_age AS (
    SELECT participant_id, arg_max(age_group, admit_date) AS age_group FROM roster_admissions GROUP BY ALL
),
final AS (
    SELECT * FROM roster
    UNION ALL BY NAME
    SELECT i.participant_id, i.admit_date, i.discharge_date, NULL AS discharge_reason, NULL AS discharge_teds_code,
           d.program, NULL AS level_of_care, d.primary_clinician, NULL AS age_group, NULL AS aftercare_plan,
           NULL AS aftercare_note, true AS inferred, i.last_attended, i.window_end
    FROM inferred AS i LEFT JOIN inferred_detail AS d USING (participant_id, admit_date)
)
SELECT participant_id || '#' || strftime(admit_date, '%Y%m%d') AS episode_id,
       final.participant_id, admit_date, discharge_date, discharge_reason, discharge_teds_code,
       teds.label AS discharge_category, program, level_of_care, primary_clinician, age_group,
       aftercare_plan, aftercare_note, inferred,
       CASE WHEN inferred THEN 'inferred from attendance' ELSE 'roster' END AS episode_source,
       discharge_date IS NULL AS is_open, last_attended, window_end,
       payer, referral_source, diagnosis_group, sex_or_gender, race, ethnicity,
       coalesce(final.site, ss.site) AS site
FROM final
LEFT JOIN teds_reasons AS teds ON teds.code = final.discharge_teds_code
LEFT JOIN session_sites AS ss USING (participant_id, admit_date)
ORDER BY participant_id, admit_date;

-- Sessions belong to the episode whose window holds their date (the latest, if windows overlap).
CREATE OR REPLACE TEMP TABLE session_episode AS
SELECT s.participant_id, s.session_date, s.session_slot, arg_max(e.episode_id, e.admit_date) AS episode_id
FROM sessions AS s
JOIN episodes AS e ON e.participant_id = s.participant_id AND s.session_date BETWEEN e.admit_date AND e.window_end
GROUP BY ALL;

-- sessions.episode_id is set from session_episode by assign_sessions.sql, in batches

-- Assessments also count from the baseline window's start before admission (settings: 14 days);
-- an episode that holds the date wins over the next episode's pre-admission window.
CREATE OR REPLACE TEMP TABLE assessment_episode AS
SELECT a.assessment_id,
       arg_max(e.episode_id, [(a.assessed_on >= e.admit_date)::INTEGER, epoch(e.admit_date)]) AS episode_id
FROM assessments AS a
JOIN episodes AS e ON e.participant_id = a.participant_id
 AND a.assessed_on BETWEEN e.admit_date - getvariable('outcomes_baseline_days_before') AND e.window_end
GROUP BY ALL;

CREATE OR REPLACE TABLE participants AS
WITH ids AS (
    SELECT participant_id, admit_date AS seen FROM roster_admissions
    UNION ALL SELECT participant_id, session_date FROM sessions
    UNION ALL SELECT participant_id, assessed_on FROM assessments
),
latest_roster AS (
    SELECT participant_id, arg_max(birth_year, admit_date) AS birth_year, arg_max(age_group, admit_date) AS age_group
    FROM roster_admissions GROUP BY ALL
),
episode_counts AS (
    SELECT participant_id, count(*) AS n_episodes, bool_or(is_open) AS has_open_episode FROM episodes GROUP BY ALL
)
SELECT ids.participant_id, min(seen) AS first_seen, max(seen) AS last_seen,
       any_value(r.birth_year) AS birth_year, any_value(r.age_group) AS age_group,
       coalesce(any_value(c.n_episodes), 0) AS n_episodes, coalesce(any_value(c.has_open_episode), false) AS has_open_episode,
       any_value(r.participant_id) IS NOT NULL AS on_roster
FROM ids
LEFT JOIN latest_roster AS r USING (participant_id)
LEFT JOIN episode_counts AS c USING (participant_id)
GROUP BY ids.participant_id
ORDER BY ids.participant_id;
