"""A model choice field's options read once per version of the data, not on every page.

The asset list's filter and bulk forms offer every location of the municipality, the
libraries, the categories and the features: a few hundred model instances made and
labelled on every request, for options that change only when someone edits a place or a
category. CachedChoiceIterator keeps the finished (value, label) pairs under the data
version (inventory/figures.py), so they are correct to the last write; validating a
submitted choice still asks the database.
"""

from collections.abc import Iterator
from typing import Any

from django import forms
from django.core.exceptions import EmptyResultSet
from django.forms.models import ModelChoiceIterator

from .figures import cached_figures


class CachedChoiceIterator(ModelChoiceIterator):
    """ModelChoiceIterator whose options come from the cache of figures."""

    def _options(self) -> list[tuple[Any, str]]:
        field = self.field
        queryset = self.queryset

        def read() -> list[tuple[Any, str]]:
            return [
                (field.prepare_value(obj), str(field.label_from_instance(obj))) for obj in queryset
            ]

        try:
            key = (
                str(queryset.query),
                type(field).__module__,
                type(field).__qualname__,
                field.to_field_name,
            )
        except EmptyResultSet:
            return []
        return cached_figures("choices", key, read)

    def __iter__(self) -> Iterator[tuple[Any, str]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self._options()

    def __len__(self) -> int:
        return len(self._options()) + (self.field.empty_label is not None)

    def __bool__(self) -> bool:
        return self.field.empty_label is not None or bool(self._options())


def cache_choices(form: forms.BaseForm) -> forms.BaseForm:
    """Have every model choice field of `form` read its options through the cache."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField) and field.iterator is not CachedChoiceIterator:
            field.iterator = CachedChoiceIterator
            field.widget.choices = field.choices  # the widget renders its own copy
    return form
