-- Outcome-measure rows -> typed rows, scored from their items, with the first problem in words.
-- Ranges come from the instrument catalogue (table `catalogue`, built from instruments.toml).
CREATE OR REPLACE TEMP TABLE staged AS
WITH typed AS MATERIALIZED (
    SELECT
        src.row_number,
        nullif(trim(src.participant_id), '') AS participant_id,
        src.assessment_date                  AS assessed_on_text,
        parse_date(src.assessment_date)      AS assessed_on,
        src.instrument                       AS instrument_text,
        alias.instrument,
        src.total                            AS total_text,
        parse_int(src.total)                 AS supplied_total
    FROM src
    LEFT JOIN instrument_alias AS alias ON alias.token = norm_token(src.instrument)
),
items AS (
    SELECT i.row_number, i.item_number, i.raw_value, parse_int(i.raw_value) AS value, t.instrument,
        CASE
            WHEN i.item_number > c.items THEN format('{} has {} items, but item_{} has a value', t.instrument, c.items, i.item_number)
            WHEN parse_int(i.raw_value) IS NULL THEN format('{} item {} value {} is not a whole number', t.instrument, i.item_number, quoted(i.raw_value))
            WHEN parse_int(i.raw_value) > c.item_max THEN format('{} item {} value {} is above the maximum {}', t.instrument, i.item_number, parse_int(i.raw_value), c.item_max)
            WHEN parse_int(i.raw_value) < c.item_min THEN format('{} item {} value {} is below the minimum {}', t.instrument, i.item_number, parse_int(i.raw_value), c.item_min)
        END AS problem
    FROM src_items AS i
    JOIN typed AS t USING (row_number)
    JOIN catalogue AS c ON c.instrument = t.instrument
),
item_summary AS (
    SELECT row_number,
        count(*)                                              AS items_answered,
        sum(value)                                            AS item_sum,
        min_by(problem, item_number) FILTER (problem IS NOT NULL) AS item_problem,
        list(struct_pack(item_number, value) ORDER BY item_number) AS item_values
    FROM items GROUP BY row_number
),
scored AS (
    SELECT typed.*, c.items, c.total_min, c.total_max, c.missing_items, c.loinc_total,
        coalesce(s.items_answered, 0)                         AS items_answered,
        s.item_sum, s.item_problem, s.item_values,
        coalesce(s.items_answered, 0) = c.items               AS items_complete
    FROM typed
    LEFT JOIN catalogue AS c USING (instrument)
    LEFT JOIN item_summary AS s USING (row_number)
),
checked AS (
    SELECT *, CASE
        WHEN participant_id IS NULL THEN 'participant_id is empty'
        WHEN blank(assessed_on_text) THEN 'assessment_date is empty'
        WHEN assessed_on IS NULL THEN format('assessment_date {} is not a date (use YYYY-MM-DD, M/D/YYYY or an Excel date number)', quoted(assessed_on_text))
        WHEN assessed_on > getvariable('today') THEN format('assessment_date {} is in the future', assessed_on)
        WHEN assessed_on < DATE '1990-01-01' THEN format('assessment_date {} is before 1990', assessed_on)
        WHEN blank(instrument_text) THEN 'instrument is empty'
        WHEN instrument IS NULL THEN format('instrument {} is not in the instrument catalogue ({})', quoted(instrument_text), getvariable('instruments'))
        WHEN NOT blank(total_text) AND supplied_total IS NULL THEN format('{} total {} is not a whole number', instrument, quoted(total_text))
        WHEN supplied_total > total_max THEN format('{} total {} is above the maximum {}', instrument, supplied_total, total_max)
        WHEN supplied_total < total_min THEN format('{} total {} is below the minimum {}', instrument, supplied_total, total_min)
        WHEN item_problem IS NOT NULL THEN item_problem
        WHEN supplied_total IS NULL AND items_answered = 0 THEN format('{} row has no total and no item answers', instrument)
    END AS reason
    FROM scored
)
SELECT *,
    CASE WHEN items_complete THEN item_sum END                          AS complete_sum,
    coalesce(supplied_total, CASE WHEN items_complete THEN item_sum END) AS total_score,
    coalesce(supplied_total <> item_sum AND items_complete, false)      AS total_mismatch,
    -- A total is valid for outcomes when the missing-item rule allows it (none_allowed: every item,
    -- or a supplied total with no items at all, as many exports carry only totals).
    (supplied_total IS NOT NULL AND items_answered = 0) OR items_complete AS total_valid,
    substr(md5(participant_id || '|' || instrument || '|' || assessed_on), 1, 16) AS assessment_id,
    md5(concat_ws('|', supplied_total, CAST(item_values AS VARCHAR)))   AS value_hash
FROM checked;
