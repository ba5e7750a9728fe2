"""Pagination that stays fast on deep pages of a large, joined list."""

from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import SimpleLazyObject, cached_property

from .figures import cached_figures


class KeysFirstPaginator(Paginator):
    """Find a page's primary keys first, then load just those rows with their joins.

    A plain OFFSET on the list query makes the database build (and join) every row it
    skips; on page 2 000 of 100 000 assets that is most of the time. Slicing the keys
    alone walks an index instead, and the joins are made for one page only.

    The count is cached per data version under `count_key`, which must name everything
    the list depends on (the view's reader and filters); without it, under the list's SQL.
    """

    def __init__(self, *args, count_key: tuple | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_key = count_key

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self._lazy_rows(bottom, top), number, self)

    def _lazy_rows(self, bottom: int, top: int):
        """The page's rows, read when first used: a page whose table comes from the
        cache of fragments (inventory/figures.py) never reads them."""
        return SimpleLazyObject(lambda: self._rows(bottom, top))

    @cached_property
    def count(self) -> int:
        """The rows in the list, counted once per version of the data (inventory/figures.py):
        paging through a list of a hundred thousand assets counts them once."""
        if not hasattr(self.object_list, "query"):  # a list, not a queryset
            return Paginator.count.func(self)
        key: object = self.count_key
        if key is None:
            try:
                key = str(self.object_list.query)
            except EmptyResultSet:  # a filter that can match nothing, such as an empty IN
                return 0
        return cached_figures("list_count", (key,), lambda: Paginator.count.func(self))

    def _keys(self, bottom: int, top: int) -> list:
        return list(self.object_list.values_list("pk", flat=True)[bottom:top])

    def _rows(self, bottom: int, top: int) -> list:
        keys = self._keys(bottom, top)
        rows = self.object_list.order_by().in_bulk(keys)
        return [rows[key] for key in keys if key in rows]


class CappedCountPaginator(KeysFirstPaginator):
    """A KeysFirstPaginator that, given `count_cap`, counts no further than the cap.

    Counting every match of a search that finds most of the register costs as much as
    reading it. With a cap N the list reads the keys of its first N + 1 rows, in its
    order, and no more: that is the count, and the first pages' keys, in one query. Up
    to N the count is exact and the pages are as usual; above, `last_page_unknown` is
    true, the list says "more than N", and a page past the first N rows reads its keys
    and one more, to know whether a next page exists (docs/search.md, "Counting").
    Without a cap it is a KeysFirstPaginator.
    """

    def __init__(self, *args, count_cap: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_cap = count_cap

    @cached_property
    def _head(self) -> list:
        """The keys of the list's first N + 1 rows."""
        return list(self.object_list.values_list("pk", flat=True)[: self.count_cap + 1])

    @cached_property
    def count(self) -> int:
        return super().count if self.count_cap is None else len(self._head)

    @property
    def last_page_unknown(self) -> bool:
        return self.count_cap is not None and self.count > self.count_cap

    @cached_property
    def num_pages(self) -> int | None:  # type: ignore[override]  # None: not counted
        return None if self.last_page_unknown else super().num_pages

    def validate_number(self, number):
        if not self.last_page_unknown:
            return super().validate_number(number)
        # A number past the last page is found out when its page has no rows.
        return _page_number(self, number)

    def page(self, number):
        if self.count_cap is None:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if not self.last_page_unknown:
            top = bottom + self.per_page
            if top + self.orphans >= self.count:
                top = self.count
            return self._get_page(self._lazy_rows(bottom, top), number, self)
        top = bottom + self.per_page + 1  # one more: is there a next page?
        rows = self._rows(bottom, top)
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return OpenEndedPage(
            rows[: self.per_page], number, self, has_next=len(rows) > self.per_page
        )

    def _keys(self, bottom: int, top: int) -> list:
        if self.count_cap is not None and top <= len(self._head):
            return self._head[bottom:top]
        return super()._keys(bottom, top)


def _page_number(paginator: Paginator, number) -> int:
    """Paginator.validate_number without the check against the last page."""
    try:
        if isinstance(number, float) and not number.is_integer():
            raise ValueError
        number = int(number)
    except (TypeError, ValueError):
        raise PageNotAnInteger(paginator.error_messages["invalid_page"]) from None
    if number < 1:
        raise EmptyPage(paginator.error_messages["min_page"])
    return number


class OpenEndedPage(Page):
    """A page of a list whose last page is not known: whether there is a next page was
    read with the page itself."""

    def __init__(self, object_list, number, paginator, *, has_next: bool):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self) -> bool:
        return self._has_next

    def end_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)

    def __repr__(self) -> str:
        return f"<Page {self.number}>"
