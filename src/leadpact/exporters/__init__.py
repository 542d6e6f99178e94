"""Writing what `leadpact export` reads out of the store: CSV, JSON Lines, Parquet (DESIGN.md §12)."""
