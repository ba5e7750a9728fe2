"""Stocktaking: the list, starting one, counting (the list, a typed or scanned tag, the
asset page's "Seen here"), recording what was found unexpectedly, and closing.

Thin: the rules are in inventory/stocktakes.py. A stocktake of a library the user does
not see is a 404 on every URL, before the permission check; the strategist reads them
(403 on every POST)."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, ListView

from .. import stocktakes
from ..models import Stocktake
from ..selectors import assets_visible_to, libraries_visible_to, locations_visible_to
from ..services import may_move_between_libraries
from ..stocktake_forms import (
    StocktakeCloseForm,
    StocktakeFoundForm,
    StocktakeSeenForm,
    StocktakeStartForm,
    version_field,
)
from ..viewmixins import ServiceFormMixin
from .assets import AssetObjectMixin


def sighting_message(result: stocktakes.Sighting) -> str:
    """What a sighting did, in one message."""
    parts = []
    if result.seen:
        parts.append(
            ngettext(
                "%(count)d asset marked seen: %(tags)s.",
                "%(count)d assets marked seen: %(tags)s.",
                len(result.seen),
            )
            % {"count": len(result.seen), "tags": ", ".join(result.seen)}
        )
    if result.unexpected:
        parts.append(
            ngettext(
                "%(count)d asset recorded as found here, not on the list: %(tags)s.",
                "%(count)d assets recorded as found here, not on the list: %(tags)s.",
                len(result.unexpected),
            )
            % {"count": len(result.unexpected), "tags": ", ".join(result.unexpected)}
        )
    if result.already:
        parts.append(
            ngettext(
                "%(count)d asset was already seen: %(tags)s.",
                "%(count)d assets were already seen: %(tags)s.",
                len(result.already),
            )
            % {"count": len(result.already), "tags": ", ".join(result.already)}
        )
    return " ".join(parts)


class StocktakeObjectMixin:
    """The stocktake named in the URL, looked up before the permission check: one of a
    library the user does not see is a 404, whatever the method. A closed one is
    read-only: its forms send the user back to its page, which shows the result."""

    closed_goes_back = True  # a GET of a closed one's form: back to its page

    def post(self, request, *args, **kwargs):
        if not self.stocktake.is_open:
            messages.error(
                request, _("This stocktake is closed; nothing more can be changed in it.")
            )
            return redirect(self.stocktake)
        return super().post(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if not self.stocktake.is_open and self.closed_goes_back:
            return redirect(self.stocktake)
        return super().get(request, *args, **kwargs)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.stocktake  # noqa: B018 -- Http404 before the permission check
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def stocktake(self) -> Stocktake:
        return stocktakes.stocktake_get(self.request.user, self.kwargs["pk"])

    @cached_property
    def page(self) -> stocktakes.StocktakePage:
        return stocktakes.stocktake_page(self.stocktake)

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            stocktake=self.stocktake,
            page=self.page,
            may_count=self.stocktake.is_open and user.has_perm(stocktakes.CHANGE_PERMISSION),
            **kwargs,
        )

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class StocktakeListView(PermissionRequiredMixin, ListView):
    permission_required = stocktakes.VIEW_PERMISSION
    template_name = "inventory/stocktake_list.html"
    context_object_name = "stocktakes"
    paginate_by = 50

    def get_queryset(self):
        return stocktakes.stocktake_list(self.request.user)


class StocktakeStartView(ServiceFormMixin, PermissionRequiredMixin, FormView):
    permission_required = stocktakes.ADD_PERMISSION
    form_class = StocktakeStartForm
    template_name = "inventory/stocktake_start.html"

    def get_form_kwargs(self):
        user = self.request.user
        return {
            **super().get_form_kwargs(),
            "libraries": libraries_visible_to(user),
            "places": locations_visible_to(user),
        }

    def get_initial(self):
        """The library in `?library=` (its code), or the user's only one."""
        libraries = list(libraries_visible_to(self.request.user))
        code = self.request.GET.get("library", "")
        chosen = [library for library in libraries if library.code == code]
        if not chosen and len(libraries) == 1:
            chosen = libraries
        return {"library": chosen[0]} if chosen else {}

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def call_service(self, form):
        stocktake = stocktakes.stocktake_start(
            actor=self.request.user,
            library=form.cleaned_data["library"],
            locations=form.cleaned_data["locations"],
        )
        count = stocktake.lines.count()
        messages.success(
            self.request,
            ngettext(
                "The stocktake of %(library)s is started: %(count)d asset to find.",
                "The stocktake of %(library)s is started: %(count)d assets to find.",
                count,
            )
            % {"library": stocktake.library, "count": count},
        )
        return redirect(stocktake)


class StocktakeDetailView(
    ServiceFormMixin, StocktakeObjectMixin, PermissionRequiredMixin, FormView
):
    """The counting page: what is left to find, what was seen, what was found; a POST
    marks the ticked assets, or the typed tag, seen."""

    form_class = StocktakeSeenForm
    template_name = "inventory/stocktake_detail.html"
    closed_goes_back = False  # its own page: the result

    def get_permission_required(self):
        if self.request.method in ("GET", "HEAD"):
            return (stocktakes.VIEW_PERMISSION,)
        return (stocktakes.VIEW_PERMISSION, stocktakes.CHANGE_PERMISSION)

    def get_form_kwargs(self):
        visible = assets_visible_to(self.request.user)
        # Every asset on the list, not only those left to see: two people ticking the
        # same one is no error (the second is told it was already seen).
        listed = visible.filter(stocktake_lines__stocktake=self.stocktake)
        return {**super().get_form_kwargs(), "listed": listed, "visible": visible}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not context["may_count"]:
            context.pop("form", None)
            return context
        form = context["form"]
        ticked = set(form.data.getlist("assets")) if form.is_bound else set()
        typed = form.data.get("tag", "") if form.is_bound and form.errors else ""
        found_form = StocktakeFoundForm(
            places=stocktakes.places_of(self.stocktake),
            visible=assets_visible_to(self.request.user),
            initial={"tag": typed.strip()},
        )
        context.update(ticked=ticked, found_form=found_form)
        return context

    def service_error_field(self, form, key):
        # "Not on the list: say where it was found" is about the typed tag here.
        return "tag" if key == "found_location" else super().service_error_field(form, key)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if self.request.GET.get("scan"):
            # Back from a scanned tag: the field is ready for the next scan.
            form.fields["tag"].widget.attrs["autofocus"] = True
        return form

    def call_service(self, form):
        result = stocktakes.stocktake_mark_seen(
            actor=self.request.user, stocktake=self.stocktake, assets=form.chosen()
        )
        messages.success(self.request, sighting_message(result))
        url = self.stocktake.get_absolute_url()
        if form.cleaned_data.get("tag"):
            return redirect(f"{url}?scan=1#count-heading")
        return redirect(f"{url}#to-see-heading")


class StocktakeFoundView(ServiceFormMixin, StocktakeObjectMixin, PermissionRequiredMixin, FormView):
    """Record an asset found in the stocktake's library that is not on its list."""

    permission_required = (stocktakes.VIEW_PERMISSION, stocktakes.CHANGE_PERMISSION)
    form_class = StocktakeFoundForm
    template_name = "inventory/stocktake_found.html"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "places": stocktakes.places_of(self.stocktake),
            "visible": assets_visible_to(self.request.user),
        }

    def call_service(self, form):
        result = stocktakes.stocktake_mark_seen(
            actor=self.request.user,
            stocktake=self.stocktake,
            assets=[form.cleaned_data["tag"]],
            found_location=form.cleaned_data["found_location"],
        )
        messages.success(self.request, sighting_message(result))
        return redirect(f"{self.stocktake.get_absolute_url()}#unexpected-heading")


class StocktakeCloseView(ServiceFormMixin, StocktakeObjectMixin, PermissionRequiredMixin, FormView):
    """Close: for each missing and unexpected asset, leave it, mark it missing or move it."""

    permission_required = (stocktakes.VIEW_PERMISSION, stocktakes.CHANGE_PERMISSION)
    form_class = StocktakeCloseForm
    template_name = "inventory/stocktake_close.html"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "missing": self.page.to_see,
            "unexpected": self.page.unexpected,
            "library": self.stocktake.library,
            "may_move_between_libraries": may_move_between_libraries(self.request.user),
        }

    def service_error_field(self, form, key):
        return form.field_of(key) if isinstance(form, StocktakeCloseForm) else None

    refused_by_service = False

    def add_service_error(self, form, error):
        self.refused_by_service = True
        super().add_service_error(form, error)

    def form_invalid(self, form):
        # After the service refused (an asset changed since the page was shown, say): the
        # versions the next try is checked against are the assets' as they are now, so
        # that closing again after reading the message is a deliberate choice.
        if self.refused_by_service:
            form.data = form.data.copy()
            for line in self.page.unexpected:
                if version_field(line) in form.fields:
                    line.asset.refresh_from_db(fields=["version"])
                    form.data[version_field(line)] = line.asset.version
        return super().form_invalid(form)

    def call_service(self, form):
        stocktake = stocktakes.stocktake_close(
            actor=self.request.user,
            stocktake=self.stocktake,
            decisions=form.decisions(),
            versions=form.versions(),
        )
        messages.success(
            self.request, _("The stocktake %(stocktake)s is closed.") % {"stocktake": stocktake}
        )
        return redirect(stocktake)


class AssetSeenView(AssetObjectMixin, PermissionRequiredMixin, View):
    """The asset page's "Seen here": the asset is seen in the open stocktake of its
    library (recorded as found at the chosen place when it is not on the list)."""

    permission_required = (stocktakes.VIEW_PERMISSION, stocktakes.CHANGE_PERMISSION)
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        panel = stocktakes.asset_stocktake(request.user, self.asset)
        back = redirect(f"{self.asset.get_absolute_url()}#stocktake-heading")
        if panel is None:
            messages.error(
                request,
                _("No stocktake of %(library)s is open.") % {"library": self.asset.library},
            )
            return back
        place = None
        chosen = request.POST.get("found_location", "")
        if chosen and panel.line is None:
            place = next((p for p in panel.places if str(p.pk) == chosen), None)
            if place is None:
                messages.error(request, _("Choose where you found it from the list."))
                return back
        try:
            result = stocktakes.stocktake_mark_seen(
                actor=request.user,
                stocktake=panel.stocktake,
                assets=[self.asset],
                found_location=place,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return back
        messages.success(request, sighting_message(result))
        return back
