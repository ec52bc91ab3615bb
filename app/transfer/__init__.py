"""Moving a municipality's data in and out: lossless JSON export/import and CSV for spreadsheets."""
