"""What the pages of every app share in translating HTTP: a service's refusal shown on
the form, the answer when someone else saved first, the rows per page of a list.

Procurement and reports use these too; they live in inventory because the other apps
may depend on it and it on none of them.
"""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _

from .formatting import format_date
from .history import records_for
from .history import rows as history_rows
from .pagination import KeysFirstPaginator
from .selectors import reader_key

PAGE_SIZES = (25, 50, 100, 200)


class PageSizeMixin:
    """A list's rows per page from `?per_page=`, one of PAGE_SIZES (50 otherwise)."""

    def get_paginate_by(self, queryset):
        try:
            size = int(self.request.GET.get("per_page", 50))
        except ValueError:
            size = 50
        return size if size in PAGE_SIZES else 50

    def get_context_data(self, **kwargs):
        return super().get_context_data(page_sizes=PAGE_SIZES, **kwargs)

    def get_paginator(self, queryset, per_page, **kwargs):
        if issubclass(self.paginator_class, KeysFirstPaginator):
            # The list is the reader's visible rows (of the object in the URL) through the
            # filters: that names its count, without compiling its SQL to find out.
            filters = sorted(
                (name, tuple(values))
                for name, values in self.request.GET.lists()
                if name not in ("page", "per_page", "ordering")
            )
            kwargs.setdefault(
                "count_key",
                (
                    type(self).__name__,
                    tuple(sorted(self.kwargs.items())),
                    reader_key(self.request.user),
                    tuple(filters),
                ),
            )
        return super().get_paginator(queryset, per_page, **kwargs)


class ServiceFormMixin:
    """A page whose valid form is handed to a service, which may refuse it.

    The view implements `call_service(form)`: it calls the service with the form's data
    and returns the response to its success (a message and a redirect, as a rule).
    `form_valid` calls it; a ValidationError the service raises is put on the form, each
    message on the field it names when the form has that field (`service_error_field`),
    above the form otherwise, and the form is shown again by `form_invalid`.

    A service that refuses a stale version raises `stale_error` (the app's
    ConcurrentEditError); `form_stale` answers it (see StaleEditMixin).

    Views that are not FormViews use it the same way: their `post` calls `form_valid` or
    `form_invalid`, and `form_invalid` renders the page with the form.
    """

    stale_error: type[Exception] | tuple[type[Exception], ...] = ()

    def call_service(self, form) -> HttpResponse:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            return self.call_service(form)
        except self.stale_error as error:
            return self.form_stale(form, error)
        except ValidationError as error:
            self.add_service_error(form, error)
            return self.form_invalid(form)

    def form_stale(self, form, error: Exception) -> HttpResponse:
        raise NotImplementedError

    def add_service_error(self, form, error: ValidationError) -> None:
        """Show a service's ValidationError on the form: on its field where it has one."""
        if hasattr(error, "error_dict"):
            for key, errors in error.error_dict.items():
                form.add_error(self.service_error_field(form, key), errors)
        else:
            form.add_error(None, error)

    def service_error_field(self, form, key: str) -> str | None:
        """The form's field for the service's error key; None puts it above the form."""
        return key if key in form.fields else None


class StaleEditMixin(ServiceFormMixin):
    """An edit page whose service refuses to overwrite what someone else saved after the
    user opened the page: the answer is 409 and the form again, with what was typed.

    It says who saved in between and when (`stale_message`, with `%(who)s` and
    `%(when)s`), lists what they changed (`stale_changes` in the context, from the
    object's history), and puts the saved version in the form: the next save is a
    deliberate choice made after reading the message, and replaces their version.
    """

    stale_message = ""  # gettext_lazy: it is read in the user's language, per request

    def form_stale(self, form, error: Exception) -> HttpResponse:
        return self.refuse_stale(form, error.current)

    def stale_author(self, current, latest):
        """The user named in the message (None: "Someone else"); by default the author
        of the object's latest history entry."""
        return latest.actor if latest else None

    def refuse_stale(self, form, current) -> HttpResponse:
        latest = records_for(current).first()
        author = self.stale_author(current, latest)
        form.add_error(
            None,
            self.stale_message
            % {
                "who": (author.get_full_name() or author.username) if author else _("Someone else"),
                "when": format_date(current.updated_at),
            },
        )
        form.data = form.data.copy()
        form.data["version"] = current.version
        context = self.get_context_data(form=form)
        context["stale_changes"] = history_rows(current._meta.model, latest) if latest else []
        return self.render_to_response(context, status=409)
