"""Supply Watch ETL: load drug-checking, overdose and alert CSVs into the DuckDB warehouse (python -m etl)."""
