-- The instrument catalogue as the loader, the marts and quality teams see it (rebuilt from
-- instruments.toml at each load; see dashboard/clinical/catalogue.py).
CREATE OR REPLACE TABLE instrument_catalogue (
    instrument VARCHAR PRIMARY KEY, name VARCHAR, items INTEGER, item_min INTEGER, item_max INTEGER,
    total_min INTEGER, total_max INTEGER, total_rule VARCHAR, missing_items VARCHAR, max_missing INTEGER,
    higher_is_worse BOOLEAN, loinc_total VARCHAR, clinical_cutoff DOUBLE, reliable_change DOUBLE,
    response_drop DOUBLE, remission_below DOUBLE, severe_from DOUBLE, sources VARCHAR
);
CREATE OR REPLACE TABLE instrument_items (
    instrument VARCHAR, item_number INTEGER, item_min INTEGER, item_max INTEGER, reversed BOOLEAN
);
CREATE OR REPLACE TABLE instrument_bands (
    instrument VARCHAR, band_rank INTEGER, band_from INTEGER, band_to INTEGER, label VARCHAR
);
CREATE OR REPLACE TABLE instrument_subscales (
    instrument VARCHAR, subscale VARCHAR, item_number INTEGER, flag_at_least DOUBLE, flag_at_most DOUBLE
);
CREATE OR REPLACE TABLE instrument_safety (
    instrument VARCHAR, item_number INTEGER, subscale VARCHAR, above DOUBLE, description VARCHAR
);
CREATE OR REPLACE TEMP VIEW catalogue AS SELECT * FROM instrument_catalogue;
CREATE OR REPLACE TEMP TABLE instrument_alias (token VARCHAR PRIMARY KEY, instrument VARCHAR);
CREATE OR REPLACE TEMP TABLE vocab (field VARCHAR, token VARCHAR, value VARCHAR);
CREATE OR REPLACE TABLE teds_reasons (code INTEGER PRIMARY KEY, label VARCHAR);
