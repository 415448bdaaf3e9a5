-- The not-on-track alert's out-of-sample counts on the program's own ended episodes, per
-- instrument and threshold, as refitted at the last load (the alert_performance mart), with the
-- settings they were computed with. Whole-program counts: no participant is named.
SELECT p.*, getvariable('scope_clinician') IS NULL AS whole_program
FROM alert_performance AS p
WHERE getvariable('scope_clinician') IS NULL
ORDER BY instrument, threshold;
