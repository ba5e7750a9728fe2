"""Writing imported assets: one prepared INSERT or UPDATE executed for every row.

The import checks every row first (inventory.imports.resource); what is left is to write
thousands of rows quickly. `test_writer_covers_every_field` fails when Asset gains a
column the INSERT does not write.
"""

from operator import attrgetter

from django.db import connections, models, router
from django.utils import timezone

from ..models import Asset

# SQLite allows a limited number of parameters in one statement.
CHUNK = 500


def chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Preparer:
    """A value as the database takes it, as Field.get_db_prep_save gives it.

    Text, whole numbers and None pass as they are (what get_db_prep_save returns for
    them); dates, times and amounts, mostly the same few values in a file, are prepared
    once each.
    """

    def __init__(self, connection):
        self.connection = connection
        self.memo: dict = {}

    def __call__(self, field, value):
        if value is None or type(value) in (str, int, bool):
            return value
        key = (field, value)
        try:
            return self.memo[key]
        except KeyError:
            prepared = self.memo[key] = field.get_db_prep_save(value, self.connection)
            return prepared
        except TypeError:  # not hashable
            return field.get_db_prep_save(value, self.connection)


def insert_rows(assets: list[Asset]) -> None:
    """Insert new assets with one prepared INSERT executed for every row, then read back
    their ids by tag.

    QuerySet.bulk_create compiles a multi-row INSERT per batch, and SQLite takes only 999
    parameters, so 22 assets, per statement; compiling them cost more than the rest of
    the import together (bench/imports.py, phase `new`).
    """
    connection = connections[router.db_for_write(Asset)]
    fields = [field for field in Asset._meta.concrete_fields if not field.primary_key]
    # What auto_now(_add) would stamp, once for the batch instead of once per row.
    now = timezone.now()
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for asset in assets:
                setattr(asset, field.attname, now)
    # Text, numbers, flags and ids go to the database as they are (get_db_prep_save
    # returns them unchanged); dates, times and amounts are prepared.
    prepared = [f for f in fields if isinstance(f, models.DateField | models.DecimalField)]
    plain = [f for f in fields if f not in prepared]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model
        quote(Asset._meta.db_table),
        ", ".join(quote(field.column) for field in plain + prepared),
        ", ".join(["%s"] * len(fields)),
    )
    read_plain = attrgetter(*(field.attname for field in plain))
    prepare = _Preparer(connection)
    params = [
        (*read_plain(asset), *(prepare(f, getattr(asset, f.attname)) for f in prepared))
        for asset in assets
    ]
    last_id = Asset.objects.aggregate(last=models.Max("pk"))["last"] or 0
    with connection.cursor() as cursor:
        for part in chunks(params, 2000):
            cursor.executemany(sql, part)
    # Ids only grow: the new rows are the ones above the largest id before the insert
    # that carry one of the new tags.
    by_tag = {asset.tag: asset for asset in assets}
    for tag, pk in Asset.objects.filter(pk__gt=last_id).values_list("tag", "pk").iterator():
        asset = by_tag.get(tag)
        if asset is not None:
            asset.pk = pk
            asset._state.adding = False
            asset._state.db = connection.alias


def update_rows(assets: list[Asset], names: list[str]) -> None:
    """Write `names` of each asset: one prepared UPDATE, executed for every row.

    Measured against QuerySet.bulk_update, which builds a CASE per field and row and
    spends about 1.5 ms per row doing it, this is some twenty times faster at 10 000 rows
    (bench/imports.py, phase `changed`).
    """
    connection = connections[router.db_for_write(Asset)]
    fields = [Asset._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    columns = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    # Only the model's own table and column names go into the statement; values are
    # parameters.
    sql = f"UPDATE {quote(Asset._meta.db_table)} SET {columns} WHERE {quote('id')} = %s"  # noqa: S608
    prepare = _Preparer(connection)
    params = [
        [prepare(field, getattr(asset, field.attname)) for field in fields] + [asset.pk]
        for asset in assets
    ]
    with connection.cursor() as cursor:
        for part in chunks(params, 2000):
            cursor.executemany(sql, part)
