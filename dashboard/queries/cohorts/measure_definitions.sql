-- The HEDIS-style measures' definitions as the marts were built: the depression instrument
-- (settings) with its catalogue cutoff, response drop and remission score, and the DRR window.
SELECT c.instrument, c.clinical_cutoff AS cutoff, c.response_drop, c.remission_below,
       CAST(setting_number('quality_measures_drr_follow_up_from') AS INTEGER) AS follow_up_from,
       CAST(setting_number('quality_measures_drr_follow_up_to') AS INTEGER) AS follow_up_to
FROM instrument_catalogue AS c
WHERE c.instrument = setting_text('quality_measures_depression_instrument');
