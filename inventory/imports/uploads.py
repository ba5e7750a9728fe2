"""A web import's uploaded file (AssetImport) between the upload and the confirmation:
the choices of how to read it, and removing it.

The file is kept under MEDIA_ROOT/imports/, which every web worker can read, with the
choices made on the upload page, from a saved mapping and on the preview page. It is
removed when it is imported or cancelled, and a day after its upload when nobody
confirmed it.
"""

from datetime import timedelta

from django.utils import timezone

from ..choices import ImportState
from ..models import AssetImport, ImportMapping
from .options import ImportOptions, OptionsError, options_from_dict

# Uploads nobody confirmed are removed after this long.
STALE_AFTER = timedelta(days=1)
# The preview form's field for the file's column number n is f"{COLUMN_FIELD}{n}".
COLUMN_FIELD = "column_"


def upload_discard(upload: AssetImport) -> None:
    """Remove the upload and its file."""
    if upload.file:
        upload.file.delete(save=False)
    upload.delete()


def uploads_discard_stale() -> None:
    """Remove the uploads older than STALE_AFTER, except those being imported."""
    old = AssetImport.objects.filter(uploaded_at__lt=timezone.now() - STALE_AFTER)
    for upload in old.exclude(state__in=[ImportState.QUEUED, ImportState.RUNNING]):
        upload_discard(upload)


def upload_options(upload: AssetImport) -> ImportOptions:
    """How an upload is read, as its preview chose."""
    columns = dict(upload.columns)
    names = columns.pop("names", {})
    return ImportOptions(
        mapping=upload.mapping,
        columns={int(k): v for k, v in columns.items()},
        columns_by_name=names,
        create_missing=upload.create_missing,
        blank_clears=upload.blank_clears,
        library=upload.library,
        values=upload.values,
        create=upload.create,
        encoding=upload.encoding or None,
    )


def upload_apply_saved(upload: AssetImport, saved: ImportMapping) -> None:
    """The saved choices on a new upload; what the upload form chose itself wins."""
    try:
        options = options_from_dict(saved.options)
    except OptionsError:
        return
    upload.mapping = upload.mapping or options.mapping
    upload.library = upload.library or options.library
    upload.create_missing = upload.create_missing or options.create_missing
    upload.blank_clears = options.blank_clears
    upload.values = options.values
    upload.create = options.create
    # Columns by header name; matched against this file's header in the preview.
    upload.columns = {"names": options.columns_by_name} if options.columns_by_name else {}


def upload_choices_initial(upload: AssetImport) -> dict:
    """The upload's choices as the initial values of the preview's options form."""
    return {
        "mapping": upload.mapping,
        "library": upload.library,
        "encoding": upload.encoding,
        "create_missing": upload.create_missing,
        "blank_clears": upload.blank_clears,
        **{f"{COLUMN_FIELD}{k}": v for k, v in upload.columns.items() if k != "names"},
    }


def upload_save_choices(
    upload: AssetImport,
    *,
    choices: dict,
    column_fields: list[str],
    values: dict[str, dict[str, str]],
    create: dict[str, list[str]],
) -> None:
    """Save the choices of the preview's options form (its cleaned data, the names of its
    column fields, the values it mapped and those to create) on the upload."""
    encoding_changed = choices["encoding"] != upload.encoding
    upload.mapping = choices["mapping"]
    upload.library = choices["library"]
    upload.encoding = choices["encoding"]
    upload.create_missing = choices["create_missing"]
    upload.blank_clears = choices["blank_clears"]
    # Choices for columns the form did not show (another preset's) are kept.
    for name in column_fields:
        key = name.removeprefix(COLUMN_FIELD)
        if choices.get(name):
            upload.columns[key] = choices[name]
        else:
            upload.columns.pop(key, None)
    for key, mapped in values.items():
        upload.values.setdefault(key, {}).update(mapped)
    for key, found in create.items():
        upload.create[key] = sorted({*upload.create.get(key, []), *found})
    if encoding_changed:
        # Another reading of the file gives other columns and values.
        upload.columns, upload.values, upload.create = {}, {}, {}
    upload.save()
