"""Bulk import and export of asset records: everything of the import lives here.

- reading: a CSV or XLSX file into a header and rows, within the limits;
- columns: which column is which, in Swedish or English, and presets for other systems'
  files (Snipe-IT, GLPI);
- cells: how each cell is read (text, dates, amounts, choices, related rows);
- resource: the django-import-export resource, the rules of each row;
- writer: the prepared INSERT and UPDATE that write the checked rows;
- service: `assets_import()`, the preview (a dry run) and the commit;
- export: `assets_export()`, CSV or XLSX with the import's column names.

See docs/import.md for what a file may hold and how it is read.
"""
