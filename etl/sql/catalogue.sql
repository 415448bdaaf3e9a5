-- The catalogue as the loader and quality teams see it (rebuilt from instruments.toml at each load).
CREATE OR REPLACE TABLE instrument_catalogue (
    instrument VARCHAR PRIMARY KEY, name VARCHAR, items INTEGER, item_min INTEGER, item_max INTEGER,
    total_min INTEGER, total_max INTEGER, missing_items VARCHAR, higher_is_worse BOOLEAN, loinc_total VARCHAR,
    clinical_cutoff DOUBLE, reliable_change DOUBLE, remission_below DOUBLE, sources VARCHAR
);
CREATE OR REPLACE TEMP VIEW catalogue AS SELECT * FROM instrument_catalogue;
CREATE OR REPLACE TEMP TABLE instrument_alias (token VARCHAR PRIMARY KEY, instrument VARCHAR);
CREATE OR REPLACE TEMP TABLE vocab (field VARCHAR, token VARCHAR, value VARCHAR);
CREATE OR REPLACE TABLE teds_reasons (code INTEGER PRIMARY KEY, label VARCHAR);
