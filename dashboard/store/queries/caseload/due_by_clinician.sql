-- How complete each clinician's due measures are (for those who see more than one caseload): the
-- planned measures of their open episodes by status this week, and the share not overdue.
SELECT coalesce(primary_clinician, 'not recorded') AS clinician,
       count(*) AS planned,
       round(100.0 * count(*) FILTER (status <> 'overdue') / count(*)) AS up_to_date_pct,   -- first: in view at 1024 px
       count(*) FILTER (status = 'overdue') AS overdue,
       count(*) FILTER (status = 'due') AS due,
       count(*) FILTER (status = 'done') AS done,
       count(*) FILTER (status = 'later') AS later
FROM visible_measures_due
WHERE ($program IS NULL OR program = $program)
GROUP BY ALL
ORDER BY clinician;
