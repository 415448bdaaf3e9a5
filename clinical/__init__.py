"""The clinical engine: instrument catalogue, scoring and (later) outcomes, flags and bands."""
