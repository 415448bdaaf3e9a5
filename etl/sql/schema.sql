-- Core schema. The names in docs/schema.md are a public contract: add columns, never rename.
-- Natural keys are kept unique by the merge queries (etl/sql/merge_*.sql), not by index
-- constraints: DuckDB's index upserts made a million-row load several times slower.

CREATE TABLE IF NOT EXISTS loads (
    load_id        INTEGER PRIMARY KEY,
    file_name      VARCHAR NOT NULL,
    file_path      VARCHAR,
    sha256         VARCHAR NOT NULL,
    kind           VARCHAR NOT NULL,
    rows_read      BIGINT NOT NULL,
    rows_loaded    BIGINT NOT NULL,
    rows_updated   BIGINT NOT NULL,
    rows_rejected  BIGINT NOT NULL,
    rows_duplicate BIGINT NOT NULL,
    loaded_at      TIMESTAMP NOT NULL,
    file_format    VARCHAR,          -- e.g. "csv utf-8 ';'" or "xlsx sheet Sheet1"
    seconds        DOUBLE
);

CREATE TABLE IF NOT EXISTS rejects (
    load_id    INTEGER NOT NULL,
    file_name  VARCHAR NOT NULL,
    row_number BIGINT,                -- spreadsheet row: the header is row 1
    reason     VARCHAR NOT NULL,
    raw_row    VARCHAR                -- the row as read, as JSON {column: value}
);

-- Findings that did not reject a row (e.g. a FHIR answer code that disagrees with its ordinal value).
CREATE TABLE IF NOT EXISTS load_notes (
    load_id    INTEGER NOT NULL,
    file_name  VARCHAR NOT NULL,
    row_number BIGINT,
    note       VARCHAR NOT NULL
);

-- Every row read, as it was in the file, apart from the cleaned core tables (etl/raw_store.py):
-- raw_load_<load_id> tables with the file's own columns, named in raw_columns; rows held only as
-- JSON here; the view raw_rows gives them all as JSON objects.
CREATE TABLE IF NOT EXISTS raw_rows_json (
    load_id    INTEGER NOT NULL,
    file_name  VARCHAR NOT NULL,
    row_number BIGINT NOT NULL,
    raw_row    VARCHAR
);
CREATE TABLE IF NOT EXISTS raw_columns (
    load_id    INTEGER NOT NULL,
    file_name  VARCHAR NOT NULL,
    position   INTEGER NOT NULL,   -- column c<position> of raw_load_<load_id>
    name       VARCHAR NOT NULL,   -- the file's header for it
    first_row  BIGINT              -- NULL: the table has row_number; else row_number = rowid + first_row
);

CREATE TABLE IF NOT EXISTS sessions (
    participant_id VARCHAR NOT NULL,
    episode_id     VARCHAR,
    session_date   DATE NOT NULL,
    start_time     TIME,
    session_type   VARCHAR NOT NULL,
    status         VARCHAR NOT NULL,
    minutes        DOUBLE NOT NULL,   -- minutes attended: minutes_given if the status counts as attended, else 0
    scheduled_minutes DOUBLE,         -- the appointment's length when a not-attended row gives it
    minutes_given  DOUBLE,            -- the minutes as the export gave them (0 when blank)
    program        VARCHAR,
    clinician      VARCHAR,
    session_id     VARCHAR,
    session_slot   VARCHAR NOT NULL,  -- session_id, or type and start time: the natural key with participant and date
    value_hash     VARCHAR NOT NULL,
    load_id        INTEGER NOT NULL,
    source_row     BIGINT NOT NULL,
    attended       BOOLEAN,           -- the status's meaning, from the attendance settings: this, minutes,
                                      -- scheduled_minutes, scheduled and no_show are set by the engine
                                      -- (clinical/setup/definitions.sql session_* macros) at each build
    scheduled      BOOLEAN,
    no_show        BOOLEAN,
    group_name     VARCHAR,           -- the group's name, when the export gives one
    site           VARCHAR            -- where the session took place, when the export says (optional)
);
CREATE TABLE IF NOT EXISTS sessions_history AS
    SELECT *, NULL::INTEGER AS replaced_by_load, NULL::TIMESTAMP AS replaced_at FROM sessions WHERE false;
-- columns added since a database was created (CREATE TABLE IF NOT EXISTS leaves it as it was)
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS group_name VARCHAR;
ALTER TABLE sessions_history ADD COLUMN IF NOT EXISTS group_name VARCHAR;
-- columns added since a database was first built (old files gain them on their next load)
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS scheduled_minutes DOUBLE;
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS attended BOOLEAN;
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS scheduled BOOLEAN;
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS no_show BOOLEAN;
ALTER TABLE sessions_history ADD COLUMN IF NOT EXISTS scheduled_minutes DOUBLE;
ALTER TABLE sessions_history ADD COLUMN IF NOT EXISTS attended BOOLEAN;
ALTER TABLE sessions_history ADD COLUMN IF NOT EXISTS scheduled BOOLEAN;
ALTER TABLE sessions_history ADD COLUMN IF NOT EXISTS no_show BOOLEAN;
ALTER TABLE sessions_history ADD COLUMN IF NOT EXISTS minutes_given DOUBLE;
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS minutes_given DOUBLE;
-- sessions loaded before the minutes were kept as given: what the export gave, from what was kept
-- (attended: its minutes; not attended: the scheduled length it gave, else 0), and the row's
-- fingerprint from those as a load computes it now (stage_attendance.sql), so that an unchanged row
-- exported again is a duplicate, not an update
UPDATE sessions
SET minutes_given = CASE WHEN minutes > 0 THEN minutes ELSE coalesce(scheduled_minutes, 0) END,
    value_hash = md5(concat_ws('|', session_type, status,
                               CASE WHEN minutes > 0 THEN minutes ELSE coalesce(scheduled_minutes, 0) END,
                               start_time, program, clinician, session_id, group_name))
WHERE minutes_given IS NULL;

CREATE TABLE IF NOT EXISTS assessments (
    assessment_id  VARCHAR NOT NULL,
    participant_id VARCHAR NOT NULL,
    episode_id     VARCHAR,
    instrument     VARCHAR NOT NULL,
    assessed_on    DATE NOT NULL,
    total_score    INTEGER,           -- supplied total, else the item sum when every item is answered
    supplied_total INTEGER,
    item_sum       INTEGER,
    items_answered INTEGER NOT NULL,
    items_complete BOOLEAN NOT NULL,
    total_mismatch BOOLEAN NOT NULL,  -- supplied total differs from the complete item sum: a data-quality finding
    total_valid    BOOLEAN NOT NULL,  -- usable for outcomes under the instrument's missing-item rule
    total_source   VARCHAR,           -- supplied | items | items, prorated | not scorable | none (subscales)
    loinc_code     VARCHAR,
    value_hash     VARCHAR NOT NULL,
    load_id        INTEGER NOT NULL,
    source_row     BIGINT NOT NULL,
    treatment_week INTEGER            -- in its episode (set at each build; docs/clinical.md)
);
CREATE TABLE IF NOT EXISTS assessments_history AS
    SELECT *, NULL::VARCHAR AS items_json, NULL::INTEGER AS replaced_by_load, NULL::TIMESTAMP AS replaced_at
    FROM assessments WHERE false;
ALTER TABLE assessments ADD COLUMN IF NOT EXISTS treatment_week INTEGER;
ALTER TABLE assessments_history ADD COLUMN IF NOT EXISTS treatment_week INTEGER;

CREATE TABLE IF NOT EXISTS assessment_items (
    assessment_id VARCHAR NOT NULL,
    item_number   INTEGER NOT NULL,
    value         INTEGER NOT NULL
);

-- Admissions as the roster states them; `episodes` is derived from these (or inferred).
CREATE TABLE IF NOT EXISTS roster_admissions (
    participant_id      VARCHAR NOT NULL,
    admit_date          DATE NOT NULL,
    discharge_date      DATE,
    discharge_reason    VARCHAR,      -- as written in the export
    discharge_teds_code INTEGER,      -- TEDS-D REASON 1..7
    program             VARCHAR,
    level_of_care       VARCHAR,
    primary_clinician   VARCHAR,
    birth_year          INTEGER,
    age_group           VARCHAR,
    aftercare_plan      BOOLEAN,
    aftercare_note      VARCHAR,
    value_hash          VARCHAR NOT NULL,
    load_id             INTEGER NOT NULL,
    source_row          BIGINT NOT NULL,
    -- equity fields (optional), as the export words them
    payer               VARCHAR,
    referral_source     VARCHAR,
    diagnosis_group     VARCHAR,
    sex_or_gender       VARCHAR,
    race                VARCHAR,
    ethnicity           VARCHAR
);
CREATE TABLE IF NOT EXISTS roster_admissions_history AS
    SELECT *, NULL::INTEGER AS replaced_by_load, NULL::TIMESTAMP AS replaced_at FROM roster_admissions WHERE false;
ALTER TABLE roster_admissions ADD COLUMN IF NOT EXISTS payer VARCHAR;
ALTER TABLE roster_admissions ADD COLUMN IF NOT EXISTS referral_source VARCHAR;
ALTER TABLE roster_admissions ADD COLUMN IF NOT EXISTS diagnosis_group VARCHAR;
ALTER TABLE roster_admissions ADD COLUMN IF NOT EXISTS sex_or_gender VARCHAR;
ALTER TABLE roster_admissions ADD COLUMN IF NOT EXISTS race VARCHAR;
ALTER TABLE roster_admissions ADD COLUMN IF NOT EXISTS ethnicity VARCHAR;
ALTER TABLE roster_admissions_history ADD COLUMN IF NOT EXISTS payer VARCHAR;
ALTER TABLE roster_admissions_history ADD COLUMN IF NOT EXISTS referral_source VARCHAR;
ALTER TABLE roster_admissions_history ADD COLUMN IF NOT EXISTS diagnosis_group VARCHAR;
ALTER TABLE roster_admissions_history ADD COLUMN IF NOT EXISTS sex_or_gender VARCHAR;
ALTER TABLE roster_admissions_history ADD COLUMN IF NOT EXISTS race VARCHAR;
ALTER TABLE roster_admissions_history ADD COLUMN IF NOT EXISTS ethnicity VARCHAR;
-- date of birth (optional): kept here only, never in participants or episodes (the dashboard reads those)
ALTER TABLE roster_admissions ADD COLUMN IF NOT EXISTS birth_date DATE;
ALTER TABLE roster_admissions ADD COLUMN IF NOT EXISTS age_at_admission INTEGER;
ALTER TABLE roster_admissions_history ADD COLUMN IF NOT EXISTS birth_date DATE;
ALTER TABLE roster_admissions_history ADD COLUMN IF NOT EXISTS age_at_admission INTEGER;
-- the site (location) of an admission or a session (optional): several sites in one organisation
ALTER TABLE roster_admissions ADD COLUMN IF NOT EXISTS site VARCHAR;
ALTER TABLE roster_admissions_history ADD COLUMN IF NOT EXISTS site VARCHAR;
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS site VARCHAR;
ALTER TABLE sessions_history ADD COLUMN IF NOT EXISTS site VARCHAR;

-- Payer authorizations as the authorizations export states them (optional export).
CREATE TABLE IF NOT EXISTS authorizations (
    participant_id      VARCHAR NOT NULL,
    authorization_id    VARCHAR NOT NULL,
    payer               VARCHAR,
    level_of_care       VARCHAR,
    start_date          DATE NOT NULL,
    end_date            DATE NOT NULL,
    authorized_sessions INTEGER,
    authorized_hours    DOUBLE,
    value_hash          VARCHAR NOT NULL,
    load_id             INTEGER NOT NULL,
    source_row          BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS authorizations_history AS
    SELECT *, NULL::INTEGER AS replaced_by_load, NULL::TIMESTAMP AS replaced_at FROM authorizations WHERE false;

-- Diagnoses as EHR problem lists and claims lines state them (optional export).
CREATE TABLE IF NOT EXISTS diagnoses (
    participant_id VARCHAR NOT NULL,
    icd10_code     VARCHAR NOT NULL,  -- canonical: upper case, a dot after the third character (F33.1)
    start_date     DATE NOT NULL,     -- noted, onset or service date
    end_date       DATE,              -- resolved; NULL: still active
    episode_ref    VARCHAR,           -- the episode, encounter or claim id as exported
    description    VARCHAR,           -- as exported
    value_hash     VARCHAR NOT NULL,
    load_id        INTEGER NOT NULL,
    source_row     BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS diagnoses_history AS
    SELECT *, NULL::INTEGER AS replaced_by_load, NULL::TIMESTAMP AS replaced_at FROM diagnoses WHERE false;

CREATE TABLE IF NOT EXISTS participants (participant_id VARCHAR PRIMARY KEY);
CREATE TABLE IF NOT EXISTS episodes (
    episode_id VARCHAR PRIMARY KEY, participant_id VARCHAR, admit_date DATE, discharge_date DATE,
    discharge_reason VARCHAR, program VARCHAR
);
