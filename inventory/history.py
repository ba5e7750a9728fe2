"""The project's one history mechanism: snapshot an object, diff, record a ChangeRecord.

Services call `snapshot()` before and after a change and `record()` (or, for bulk
writes, `build()` + `ChangeRecord.objects.bulk_create`) with the difference. Values are
stored as JSON-friendly primitives: choice codes, ISO dates, decimal strings, and for
related objects their text, so the history reads the same after the related row changes
or is deleted. `rows()` turns a record back into labelled, localised text for a page.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .choices import ChangeAction, ChangeSource
from .formatting import format_sek
from .models import ChangeRecord, TranslatedName


def _value(obj: models.Model, field: models.Field) -> Any:
    if field.many_to_many:
        if obj.pk is None:
            return []
        return sorted(str(related) for related in getattr(obj, field.name).all())
    if field.is_relation:
        related = getattr(obj, field.name)
        return None if related is None else str(related)
    value = getattr(obj, field.attname)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The tracked fields of `obj` as JSON-friendly values."""
    meta = obj._meta
    return {name: _value(obj, meta.get_field(name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for each field whose value differs."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def build(
    obj: models.Model,
    *,
    actor,
    action: str,
    changes: dict[str, list[Any]],
    source: str = ChangeSource.WEB,
    source_detail: str = "",
    comment: str = "",
    content_type: ContentType | None = None,
) -> ChangeRecord:
    """An unsaved record, for callers that save many at once with bulk_create."""
    return ChangeRecord(
        content_type=content_type or ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        source=source,
        source_detail=source_detail[:255],
        changes=changes,
        comment=comment,
    )


def record(obj: models.Model, **kwargs) -> ChangeRecord | None:
    """Save a record of a change; nothing when a change changed nothing."""
    if kwargs.get("action") == ChangeAction.CHANGED and not kwargs.get("changes"):
        return None
    entry = build(obj, **kwargs)
    entry.save()
    return entry


def records_for(obj: models.Model) -> models.QuerySet[ChangeRecord]:
    """The history of one object, newest first."""
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("actor")


@dataclass(frozen=True)
class ChangeRow:
    label: str
    old: str
    new: str
    name: str = ""  # the field's name, for a page that tells some fields together


def _translated_name(model: type[TranslatedName], stored: str) -> str:
    """A category's or feature's name in the reader's language.

    It was stored as its text in the language of whoever made the change; the row that
    has that name in either language gives it back in the reader's. A name since
    changed or deleted reads as it was stored.
    """
    found = model._default_manager.filter(Q(name_sv=stored) | Q(name_en=stored)).first()
    return found.name if found is not None else stored


def _display(field: models.Field | None, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "–"
    related = getattr(field, "related_model", None)
    translated = isinstance(related, type) and issubclass(related, TranslatedName)
    if isinstance(value, list):
        if translated:
            return ", ".join(sorted(_translated_name(related, str(v)) for v in value))
        return ", ".join(str(v) for v in value)
    if field is None:
        return str(value)
    if translated:
        return _translated_name(related, str(value))
    if field.choices and not field.is_relation:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DecimalField):
        # Every decimal the project keeps is an amount in SEK.
        return format_sek(Decimal(value))
    if isinstance(field, models.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return date_format(date.fromisoformat(value), "Y-m-d")
    return str(value)


def rows(model: type[models.Model], entry: ChangeRecord) -> list[ChangeRow]:
    """The record's changes as labelled text in the active language."""
    result = []
    for name, (old, new) in entry.changes.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            field, label = None, name
        else:
            if field.auto_created and not field.concrete:
                # A change of related rows recorded on the object, such as a case's lines:
                # their values are stored as text, labelled by the related model's name.
                label = str(field.related_model._meta.verbose_name)
                field = None
            else:
                label = str(field.verbose_name)
        result.append(
            ChangeRow(
                label=label[:1].upper() + label[1:],
                old=_display(field, old),
                new=_display(field, new),
                name=name,
            )
        )
    return result
