-- The settings the marts were built with (the settings table): name, number, text, list.
SELECT name, number, text, list FROM settings ORDER BY name;
