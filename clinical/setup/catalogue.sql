-- The instrument catalogue as the loader and the marts see it, rebuilt from the catalogue files at
-- each build (clinical/catalogue.py); a definition no file gives any more is kept while
-- assessments use it (clinical/build.py).
CREATE OR REPLACE TABLE instrument_catalogue (
    instrument VARCHAR PRIMARY KEY, name VARCHAR, items INTEGER, item_min INTEGER, item_max INTEGER,
    total_min INTEGER, total_max INTEGER, total_rule VARCHAR, missing_items VARCHAR, max_missing INTEGER,
    higher_is_worse BOOLEAN, loinc_total VARCHAR, clinical_cutoff DOUBLE, reliable_change DOUBLE,
    response_drop DOUBLE, remission_below DOUBLE, severe_from DOUBLE, sources VARCHAR,
    source_file VARCHAR, source_sha256 VARCHAR   -- the catalogue file the definition came from
);
CREATE OR REPLACE TABLE instrument_items (
    instrument VARCHAR, item_number INTEGER, item_min INTEGER, item_max INTEGER, reversed BOOLEAN,
    label VARCHAR   -- a short label of the item (instruments whose wording may be reproduced); NULL otherwise
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
