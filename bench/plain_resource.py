"""What the import benchmark compares against: a plain ModelResource of the asset.

The resource a user of django-import-export would write for the register: the model's
fields of the asset file, matched by tag, and nothing else – the library's default
widgets (a related row by its primary key, one query per cell; features as a list of
primary keys), its default instance loader (one query per row to find the asset), one
save() per row, no full_clean(), no history, and every row of a file imported again
saved again (skip_unchanged is off by default). Its file therefore holds the values as
the model stores them (ids, status codes, ISO dates, "1234.00"): bench/imports.py writes
the same rows that way beside the Swedish file our import reads.

(bench/per_row.py, our own resource with its shortcuts turned off, is what the tests use
to show that both paths judge a row alike; it is not the benchmark's comparison.)
"""

from import_export import resources

from inventory.imports.columns import ASSET_COLUMNS
from inventory.models import Asset


class PlainAssetResource(resources.ModelResource):
    class Meta:
        model = Asset
        fields = tuple(ASSET_COLUMNS)
        import_id_fields = ["tag"]
