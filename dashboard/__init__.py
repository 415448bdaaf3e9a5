"""The outcomes dashboard's core package: database access, clinical engine, queries, charts."""
