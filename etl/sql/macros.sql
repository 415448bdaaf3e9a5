-- Parsing helpers used by every staging query. They return NULL when a value cannot be read;
-- the staging query turns that NULL into a reason a person understands.

-- "Client ID", "client_id", "CLIENT-ID" -> "clientid"
CREATE OR REPLACE TEMP MACRO norm_token(s) AS regexp_replace(lower(trim(s)), '[\s_\-\.]+', '', 'g');

CREATE OR REPLACE TEMP MACRO blank(s) AS (s IS NULL OR trim(s) = '');

-- ISO (2025-03-07, with or without a time), US (3/7/2025) and Excel serial day numbers (45723).
CREATE OR REPLACE TEMP MACRO parse_date(s) AS CASE
    WHEN regexp_full_match(s, '\d{4}-\d{2}-\d{2}') THEN try_cast(s AS DATE)   -- the common case, fast
    WHEN regexp_full_match(trim(s), '\d{4}-\d{1,2}-\d{1,2}([ T].*)?')
        THEN CAST(try_strptime(regexp_extract(trim(s), '^\d{4}-\d{1,2}-\d{1,2}'), '%Y-%m-%d') AS DATE)
    WHEN regexp_full_match(trim(s), '\d{1,2}/\d{1,2}/\d{4}( .*)?')
        THEN CAST(try_strptime(regexp_extract(trim(s), '^\d{1,2}/\d{1,2}/\d{4}'), '%m/%d/%Y') AS DATE)
    WHEN regexp_full_match(trim(s), '\d{5}(\.\d+)?')
        THEN DATE '1899-12-30' + CAST(floor(CAST(trim(s) AS DOUBLE)) AS INTEGER)
END;

-- "13:00", "1:00 PM", "13:00:00", or the time part of a date-time.
CREATE OR REPLACE TEMP MACRO parse_time(s) AS CASE
    WHEN regexp_matches(trim(s), '\d{1,2}:\d{2}(:\d{2})?\s*[AaPp][Mm]$')
        THEN CAST(try_strptime(upper(regexp_extract(trim(s), '(\d{1,2}:\d{2})(:\d{2})?\s*([AaPp][Mm])$', 1)
                                     || ' ' || regexp_extract(trim(s), '([AaPp][Mm])$', 1)), '%I:%M %p') AS TIME)
    WHEN regexp_matches(trim(s), '\d{1,2}:\d{2}(:\d{2})?$')
        THEN try_cast(regexp_extract(trim(s), '(\d{1,2}:\d{2}(:\d{2})?)$', 1) AS TIME)
END;

-- Whole numbers, allowing "12.0" as spreadsheets write them.
CREATE OR REPLACE TEMP MACRO parse_int(s) AS CASE
    WHEN regexp_full_match(trim(s), '[+-]?\d{1,9}(\.0*)?') THEN CAST(CAST(trim(s) AS DOUBLE) AS INTEGER)
END;

CREATE OR REPLACE TEMP MACRO parse_number(s) AS CASE
    WHEN regexp_full_match(trim(s), '[+-]?(\d{1,9}(\.\d*)?|\.\d+)') THEN CAST(trim(s) AS DOUBLE)
END;

CREATE OR REPLACE TEMP MACRO quoted(s) AS '''' || coalesce(s, '') || '''';

-- An identifier people read, type and find in file names: no control characters (a line break splits a
-- CSV row), no web address (shown as a link), no direction controls (U+202E shows "IOP-10290" reversed on screen), no longer than
-- [loader] max_id_characters (a 100,000-character id loads, cannot be opened, and overflows a spreadsheet cell).
CREATE OR REPLACE TEMP MACRO id_problem(name, value) AS CASE
    WHEN value IS NULL THEN NULL
    WHEN regexp_matches(value, '[[:cntrl:]]') THEN name || ' contains a line break or another control character'
    WHEN regexp_matches(value, '[\x{061C}\x{200E}\x{200F}\x{202A}-\x{202E}\x{2066}-\x{2069}]')
        THEN name || ' contains a text-direction control character (it would show the id reversed or reordered)'
    WHEN regexp_matches(lower(value), '://|^www\.|^mailto:') THEN name || ' looks like a web address, not an id (a screen would show it as a link)'
    WHEN length(value) > getvariable('max_id_characters')
        THEN format('{} is {} characters long; at most {} are accepted (settings [loader] max_id_characters)',
                    name, length(value), getvariable('max_id_characters'))
END;
