"""Loads the exports IOP programs already have into one DuckDB file (see docs/exports.md)."""
