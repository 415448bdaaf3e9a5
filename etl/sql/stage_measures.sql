-- Outcome-measure rows -> typed rows, scored from their items, with the first problem in words.
-- Ranges come from the instrument catalogue (table `catalogue`, built from instruments.toml).
CREATE OR REPLACE TEMP TABLE staged AS
-- Dates, names and numbers repeat across many rows: each distinct text is parsed once.
WITH dates AS (SELECT t, parse_date(t) AS d FROM (SELECT DISTINCT assessment_date AS t FROM src)),
names AS (SELECT t, alias.instrument FROM (SELECT DISTINCT instrument AS t FROM src)
          JOIN instrument_alias AS alias ON alias.token = norm_token(t)),
totals AS (SELECT t, parse_int(t) AS v FROM (SELECT DISTINCT total AS t FROM src)),
answers AS (SELECT t, parse_int(t) AS v FROM (SELECT DISTINCT raw_value AS t FROM src_items)),
typed AS MATERIALIZED (
    SELECT
        src.row_number,
        nullif(trim(src.participant_id), '') AS participant_id,
        src.assessment_date                  AS assessed_on_text,
        dates.d                              AS assessed_on,
        src.instrument                       AS instrument_text,
        names.instrument,
        src.total                            AS total_text,
        totals.v                             AS supplied_total
    FROM src
    LEFT JOIN dates ON dates.t = src.assessment_date
    LEFT JOIN names ON names.t = src.instrument
    LEFT JOIN totals ON totals.t = src.total
),
items AS (
    SELECT i.row_number, i.item_number, i.raw_value, a.v AS value, t.instrument,
        CASE WHEN r.reversed THEN r.item_min + r.item_max - a.v ELSE a.v END AS scored,
        CASE
            WHEN i.item_number > c.items THEN format('{} has {} items, but item_{} has a value', t.instrument, c.items, i.item_number)
            WHEN a.v IS NULL THEN format('{} item {} value {} is not a whole number', t.instrument, i.item_number, quoted(i.raw_value))
            WHEN a.v > r.item_max THEN format('{} item {} value {} is above the maximum {}', t.instrument, i.item_number, a.v, r.item_max)
            WHEN a.v < r.item_min THEN format('{} item {} value {} is below the minimum {}', t.instrument, i.item_number, a.v, r.item_min)
        END AS problem
    FROM src_items AS i
    JOIN answers AS a ON a.t = i.raw_value
    JOIN typed AS t USING (row_number)
    JOIN catalogue AS c ON c.instrument = t.instrument
    LEFT JOIN instrument_items AS r ON r.instrument = t.instrument AND r.item_number = i.item_number
),
item_summary AS (
    SELECT row_number,
        count(*)                                              AS items_answered,
        sum(scored)                                           AS item_sum,   -- reversed items applied
        min_by(problem, item_number) FILTER (problem IS NOT NULL) AS item_problem,
        list(struct_pack(item_number, value) ORDER BY item_number) AS item_values
    FROM items GROUP BY row_number
),
scored AS (
    SELECT typed.*, c.items, c.total_min, c.total_max, c.total_rule, c.missing_items, c.max_missing, c.loinc_total,
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
        WHEN id_problem('participant_id', participant_id) IS NOT NULL THEN id_problem('participant_id', participant_id)
        WHEN blank(assessed_on_text) THEN 'assessment_date is empty'
        WHEN assessed_on IS NULL THEN format('assessment_date {} is not a date (use YYYY-MM-DD, M/D/YYYY or an Excel date number)', quoted(assessed_on_text))
        WHEN assessed_on > getvariable('today') THEN format('assessment_date {} is in the future', assessed_on)
        WHEN assessed_on < DATE '1990-01-01' THEN format('assessment_date {} is before 1990', quoted(assessed_on_text))
        WHEN blank(instrument_text) THEN 'instrument is empty'
        WHEN instrument IS NULL THEN format('instrument {} is not in the instrument catalogue ({})', quoted(instrument_text), getvariable('instruments'))
        WHEN total_rule = 'none' AND NOT blank(total_text) THEN format('{} has no total score (it is scored by subscales); leave total empty', instrument)
        WHEN total_rule = 'none' AND items_answered = 0 THEN format('{} row has no item answers ({} is scored by subscales)', instrument, instrument)
        WHEN NOT blank(total_text) AND supplied_total IS NULL THEN format('{} total {} is not a whole number', instrument, quoted(total_text))
        WHEN supplied_total > total_max THEN format('{} total {} is above the maximum {}', instrument, supplied_total, total_max)
        WHEN supplied_total < total_min THEN format('{} total {} is below the minimum {}', instrument, supplied_total, total_min)
        WHEN item_problem IS NOT NULL THEN item_problem
        WHEN supplied_total IS NULL AND items_answered = 0 THEN format('{} row has no total and no item answers', instrument)
    END AS reason
    FROM scored
)
SELECT *,
    CASE WHEN items_complete THEN item_sum END AS complete_sum,
    -- the total computed from items: all answered, or prorated within the catalogue's missing-item rule
    CASE WHEN total_rule <> 'sum' THEN NULL
         WHEN items_complete THEN item_sum
         WHEN missing_items = 'prorate' AND items_answered > 0 AND items - items_answered <= max_missing
             THEN CAST(round(item_sum * items / items_answered) AS INTEGER)
    END AS item_total,
    CASE WHEN total_rule <> 'sum' THEN 'none (subscales)'
         WHEN supplied_total IS NOT NULL THEN 'supplied'
         WHEN items_complete THEN 'items'
         WHEN item_total IS NOT NULL THEN 'items, prorated'
         ELSE 'not scorable: items missing'
    END AS total_source,
    coalesce(supplied_total, item_total) AS total_score,
    coalesce(supplied_total <> item_sum AND items_complete, false) AS total_mismatch,
    -- Valid for outcomes: a supplied total with no items (many exports carry only totals), or a
    -- total the items support under the missing-item rule. PHQ-9 with a missing item: never.
    total_rule = 'sum' AND ((supplied_total IS NOT NULL AND items_answered = 0) OR item_total IS NOT NULL) AS total_valid,
    substr(md5(participant_id || '|' || instrument || '|' || assessed_on), 1, 16) AS assessment_id,
    md5(concat_ws('|', supplied_total, CAST(item_values AS VARCHAR))) AS value_hash
FROM checked;
