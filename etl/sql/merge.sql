-- Valid staged rows of one kind -> its table (merge_<kind>.sql names the table, its key and the parts
-- that differ). Each row is loaded (new), updated (the key held with other values: the old row goes
-- to the history table), a duplicate (the values of a row already held, or repeated within the
-- file) or rejected (a second, different row for the same key in one file).
CREATE OR REPLACE TEMP TABLE merge_plan AS
WITH valid AS (SELECT * EXCLUDE (reason) FROM staged WHERE reason IS NULL),
firsts AS (
    -- the first row of each key in the file (hash aggregation: cheaper than a window sort)
    SELECT ${key}, min(row_number) AS first_row, arg_min(value_hash, row_number) AS first_hash
    FROM valid GROUP BY ALL
),
ranked AS (SELECT * FROM valid JOIN firsts USING (${key}))
SELECT ranked.*,   -- staged's own columns only (stage_<kind>.sql keeps what the merge needs)
    CASE
        WHEN ranked.row_number <> first_row AND ranked.value_hash = first_hash THEN 'duplicate'
        WHEN ranked.row_number <> first_row THEN 'conflict'
        WHEN held.value_hash IS NULL THEN 'loaded'
        WHEN held.value_hash = ranked.value_hash THEN 'duplicate'
        ${duplicate}
        ELSE 'updated'
    END AS outcome
FROM ranked
LEFT JOIN ${table} AS held USING (${key});

INSERT INTO ${table}_history BY NAME
SELECT held.*, ${history}
       getvariable('load_id') AS replaced_by_load, getvariable('loaded_at') AS replaced_at
FROM ${table} AS held
JOIN merge_plan AS plan USING (${key})
WHERE plan.outcome = 'updated';

${before_delete}

DELETE FROM ${table} USING merge_plan AS plan
WHERE plan.outcome = 'updated' AND ${key_match};

${write}

CREATE OR REPLACE TEMP TABLE conflicts AS
SELECT row_number, ${conflict} AS reason
FROM merge_plan WHERE outcome = 'conflict';

-- the participants whose rows this load wrote or replaced (the old row's too: a correction may move
-- a row to another participant): etl/load.py rebuilds their episodes and marts
CREATE TEMP TABLE IF NOT EXISTS touched (participant_id VARCHAR);
INSERT INTO touched
SELECT participant_id FROM merge_plan WHERE outcome IN ('loaded', 'updated')
UNION
SELECT participant_id FROM ${table}_history WHERE replaced_by_load = getvariable('load_id');
