SELECT c.instrument, b.band_rank, b.band_from, b.band_to, b.label, c.total_min, c.total_max, c.clinical_cutoff,
       c.reliable_change, c.severe_from
FROM instrument_catalogue AS c LEFT JOIN instrument_bands AS b USING (instrument)
ORDER BY c.instrument, b.band_rank;
