"""Our asset resource with its shortcuts turned off: row by row, for the tests.

A query per lookup and per row, full_clean() with its per-row existence and uniqueness
queries, save() and a savepoint per row. tests/inventory/test_import.py shows with it
that the bulk path judges every row as the per-row path does. The import benchmark
compares against a plain ModelResource instead (bench/plain_resource.py).
"""

from import_export.instance_loaders import ModelInstanceLoader

from inventory.imports.resource import AssetResource


class PerRowAssetResource(AssetResource):
    """The same columns and rules as AssetResource, row by row."""

    bulk_checks = False

    class Meta(AssetResource.Meta):
        use_bulk = False
        instance_loader_class = ModelInstanceLoader
