-- The settings the marts were built with (the settings table), for dashboard/store/settings.py.
SELECT name, section, key, number, text, list FROM settings ORDER BY name;
