-- Item answers of every administration in an episode, with each item's short label (catalogue,
-- where the wording may be reproduced) and which items are safety items.
SELECT a.instrument, a.assessed_on, i.item_number, i.value, r.item_max, r.label AS item_label,
       s.item_number IS NOT NULL AS safety_item
FROM visible_assessments AS a
JOIN visible_assessment_items AS i USING (assessment_id)
LEFT JOIN instrument_items AS r ON r.instrument = a.instrument AND r.item_number = i.item_number
LEFT JOIN instrument_safety AS s ON s.instrument = a.instrument AND s.item_number = i.item_number
WHERE a.episode_id = $episode_id
ORDER BY a.instrument, a.assessed_on, i.item_number;
