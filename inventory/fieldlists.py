"""One declaration per model of its fields and where each is used.

The forms, the services' editable and tracked fields, the import and export columns and
the import's write lists are derived from these declarations, so a new field is added
in one place. `FieldList.problems()` (run by the tests) names every model field that is
neither declared nor listed as bookkeeping, so a field nobody placed is caught.
"""

from collections.abc import Iterable, Mapping, Sequence

from django.db import models

from .models import Asset

# Where a declared field is used. Every declared field is tracked: its changes are
# recorded in the history (inventory.history).
FORM = "form"  # on the model's edit form, changed through the update service
FILE = "file"  # a column of the model's file (export, and import)


class FieldList:
    """A model's declared fields, in the order people read them, with their uses.

    `fields`: (name, uses) pairs. `stamps`: fields every write sets (the version, who
    and when). `writes_with`: a declared field whose change also sets these fields.
    `untracked`: the rest of the model's fields, which nothing here lists.
    """

    def __init__(
        self,
        model: type[models.Model],
        fields: Sequence[tuple[str, Iterable[str]]],
        *,
        stamps: Sequence[str] = (),
        writes_with: Mapping[str, Sequence[str]] | None = None,
        untracked: Iterable[str] = (),
    ) -> None:
        self.model = model
        self._uses = {name: frozenset(uses) for name, uses in fields}
        self.stamps = tuple(stamps)
        self.writes_with = {name: tuple(extra) for name, extra in (writes_with or {}).items()}
        self.untracked = frozenset(untracked)

    def names(self, *uses: str) -> tuple[str, ...]:
        """The declared fields (with all of `uses`, if given), in declared order."""
        return tuple(name for name, have in self._uses.items() if have.issuperset(uses))

    def without(self, *uses: str) -> tuple[str, ...]:
        """The declared fields with none of `uses`, in declared order."""
        return tuple(name for name, have in self._uses.items() if not have.intersection(uses))

    @property
    def tracked(self) -> tuple[str, ...]:
        return self.names()

    def many_to_many(self, names: Iterable[str]) -> frozenset[str]:
        """Those of `names` that are many-to-many relations (set after the row is saved)."""
        return frozenset(name for name in names if self.model._meta.get_field(name).many_to_many)

    def written_by(self, name: str) -> tuple[str, ...]:
        """The model fields a change of `name` writes, itself included."""
        return (name, *self.writes_with.get(name, ()))

    def problems(self) -> list[str]:
        """What is wrong with the declaration: undeclared model fields, unknown names."""
        model_fields = {
            f.name
            for f in self.model._meta.get_fields()
            if f.concrete and not f.auto_created and not getattr(f, "primary_key", False)
        }
        accounted = (
            set(self._uses)
            | set(self.stamps)
            | {name for extra in self.writes_with.values() for name in extra}
            | self.untracked
        )
        problems = [
            f"{self.model.__name__}.{name} is neither declared nor bookkeeping"
            for name in sorted(model_fields - accounted)
        ]
        problems += [
            f"{self.model.__name__} has no field {name!r}"
            for name in sorted(accounted - model_fields)
        ]
        problems += [
            f"{self.model.__name__}.{name} is declared and also listed as untracked"
            for name in sorted(set(self._uses) & self.untracked)
        ]
        return problems


ASSET_FIELDS = FieldList(
    Asset,
    [
        ("tag", {FORM, FILE}),
        ("category", {FORM, FILE}),
        ("manufacturer", {FORM, FILE}),
        ("model", {FORM, FILE}),
        ("serial_number", {FORM, FILE}),
        ("library", {FORM, FILE}),
        ("location", {FORM, FILE}),
        # moves only through asset_change_status; the form asks for it on create only
        ("status", {FILE}),
        ("usage", {FORM, FILE}),
        ("ownership", {FORM, FILE}),
        ("lease_end", {FORM, FILE}),
        ("trial_return_by", {FORM, FILE}),
        ("purchase_date", {FORM, FILE}),
        ("purchase_price", {FORM, FILE}),
        ("warranty_end", {FORM, FILE}),
        ("replacement_due", {FORM, FILE}),
        ("hostname", {FORM, FILE}),
        ("it_reference", {FORM, FILE}),
        ("features", {FORM, FILE}),
        ("parent", {FORM, FILE}),
        ("notes", {FORM, FILE}),
        ("lendable", {FORM}),
        # the details of a status move: set by the move, shown in the history
        ("loan_borrower", ()),
        ("loan_due", ()),
        ("disposed_on", ()),
        ("disposal_method", ()),
        ("wipe_certificate", ()),
        ("last_seen_on", ()),
    ],
    # The replacement date follows the purchase date and the category's lifecycle
    # unless it was set by hand, so whether it was is worked out again on every write.
    stamps=("version", "updated_by", "updated_at", "replacement_due_manual"),
    writes_with={
        "status": ("status_changed_at", "status_before_loan", "loan_borrower", "loan_due"),
        "replacement_due": ("replacement_due_manual",),
    },
    untracked=("created_at", "created_by", "last_seen_by"),
)
