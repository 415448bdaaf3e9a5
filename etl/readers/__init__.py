"""Readers turn one export file into the temp table `file_rows(row_number, c0 … cN)` of text
values plus `parse_rejects(row_number, reason, raw_row)` for rows that could not be split into
columns. Everything after that (mapping, validation, merging) is shared SQL, so a new layout
(a wide vendor export, FHIR) only needs a reader."""

from etl.readers.csv_reader import read_csv
from etl.readers.xlsx_reader import read_xlsx

__all__ = ["read_csv", "read_xlsx"]
