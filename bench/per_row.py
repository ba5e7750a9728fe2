"""The asset import through django-import-export's default path, to compare against.

A query per lookup and per row, full_clean() with its per-row existence and uniqueness
queries, save() and a savepoint per row. bench/imports.py measures the bulk path against
it, and the tests show that both judge every row alike.
"""

from import_export.instance_loaders import ModelInstanceLoader

from inventory.imports.resource import AssetResource


class PerRowAssetResource(AssetResource):
    """The same columns and rules as AssetResource, row by row."""

    bulk_checks = False

    class Meta(AssetResource.Meta):
        use_bulk = False
        instance_loader_class = ModelInstanceLoader
