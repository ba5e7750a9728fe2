"""`in` lookups on integer columns that leave out numbers the column cannot hold.

Django answers `pk=<a number beyond the column's range>` with no rows (its exact and
range lookups on integers check the range first), but its `in` lookup sends every
number to the database, and SQLite's driver fails on one that does not fit in 64 bits
(OverflowError). Forms check a multiple choice with `<key>__in=<the values posted>`, so
`?location=9223372036854775808` on the asset list, or such a feature id posted with an
asset, was a 500 rather than the invalid choice it is. A number out of range can equal
no row, so leaving it out never changes a result.
"""

from django.db.models import ForeignObject, IntegerField
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In


class LeaveOutOfRangeMixin:
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            field = self.lhs.output_field
            if hasattr(field, "path_infos"):  # a foreign key: the column it refers to
                field = field.path_infos[-1].target_fields[-1]
            if isinstance(field, IntegerField):
                low, high = connection.ops.integer_field_range(field.get_internal_type())
                self.rhs = [
                    value
                    for value in self.rhs
                    if not isinstance(value, int)
                    or ((low is None or value >= low) and (high is None or value <= high))
                ]
        return super().process_rhs(compiler, connection)


class IntegerIn(LeaveOutOfRangeMixin, In):
    pass


class RelatedIntegerIn(LeaveOutOfRangeMixin, RelatedIn):
    pass


def register() -> None:
    """Put the lookups in place of Django's (from the inventory app's ready())."""
    IntegerField.register_lookup(IntegerIn)
    ForeignObject.register_lookup(RelatedIntegerIn)
