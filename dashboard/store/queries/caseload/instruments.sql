-- Instruments with a total, in catalogue order: the caseload's score columns.
SELECT instrument FROM instrument_catalogue WHERE total_rule = 'sum' ORDER BY instrument;
