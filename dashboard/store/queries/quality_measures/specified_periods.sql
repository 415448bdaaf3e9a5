-- The measurement periods the specified count has rows for, latest first, and whether each has ended
-- by the data date (only ended periods are shared outside the program: their counts no longer change).
SELECT m.period_start, any_value(m.period_end) AS period_end, any_value(m.period_end) <= any_value(d.data_as_of) AS ended
FROM visible_measure_specified AS m CROSS JOIN dataset_info AS d
GROUP BY m.period_start
ORDER BY m.period_start DESC;
