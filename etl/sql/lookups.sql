-- The loader's own lookups for one run: instrument names and aliases, coded values, TEDS labels.
CREATE OR REPLACE TEMP TABLE instrument_alias (token VARCHAR PRIMARY KEY, instrument VARCHAR);
CREATE OR REPLACE TEMP TABLE vocab (field VARCHAR, token VARCHAR, value VARCHAR);
CREATE OR REPLACE TABLE teds_reasons (code INTEGER PRIMARY KEY, label VARCHAR);
