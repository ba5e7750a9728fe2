"""Bulk import and export of asset records (SPEC section 3, "Import / export").

- reading: a CSV or XLSX file into a header and rows, within the limits;
- columns: which column is which, in Swedish or English, and presets such as Snipe-IT;
- service: `assets_import()`, the preview (a dry run) and the all-or-nothing commit;
- export: `assets_export()`, CSV or XLSX with the import's column names.

The rules of each row live in the django-import-export resource, inventory.resources,
which reads `columns`; so this package imports none of its modules itself.
"""
