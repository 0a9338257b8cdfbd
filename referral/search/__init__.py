"""Finding services: the index, query parsing, geography, ranking and opening hours (no Flask)."""
