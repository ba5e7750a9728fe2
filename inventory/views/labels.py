"""QR labels for the assets ticked on the list, or for every row of the filtered list."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from config.security import log_event

from ..filters import AssetFilterSet
from ..forms import LabelForm
from ..labels import LAYOUTS, labels_pdf
from ..selectors import asset_list

# One request renders at most this many labels (50 sheets of 24): a whole register at
# once is a job for `manage.py print_labels`.
MAX_LABELS = 1200
# What the label form adds to the list's query string; the rest is the list's filter.
OWN_PARAMETERS = {"layout", "start", "assets", "page", "per_page", "csrfmiddlewaretoken"}


class AssetLabelsView(PermissionRequiredMixin, TemplateView):
    """Asks for the sheet, then answers with the PDF.

    By GET, the labels are of the asset list's rows under the filters in the query
    string (the list's FilterSet); by POST, of the assets ticked on the list. Either
    way only of assets the user may see.
    """

    permission_required = "inventory.view_asset"
    template_name = "inventory/labels_form.html"

    def get(self, request, *args, **kwargs):
        filterset = AssetFilterSet(
            request.GET or None, queryset=asset_list(request.user), request=request
        )
        # As on the list page: filters it cannot use give no rows, not every row.
        if filterset.is_bound and not filterset.is_valid():
            assets = filterset.queryset.none()
        else:
            assets = filterset.qs
        form = LabelForm(
            request.GET if "layout" in request.GET else None, assets=asset_list(request.user)
        )
        if form.is_valid():
            return self.labels(form, assets)
        return self.form_page(form, assets.count())

    def post(self, request, *args, **kwargs):
        form = LabelForm(request.POST, assets=asset_list(request.user), selection=True)
        if form.is_valid():
            return self.labels(form, form.cleaned_data["assets"])
        if (
            "layout" not in request.POST
            and "assets" in form.cleaned_data
            and not form.non_field_errors()
        ):
            # Ticked on the list: which sheet comes next, with nothing wrong yet.
            tags = [asset.tag for asset in form.cleaned_data["assets"]]
            form = LabelForm(initial={"assets": tags}, assets=asset_list(request.user))
            return self.form_page(form, len(tags), selection=True)
        return self.form_page(form, len(form.cleaned_data.get("assets") or []), selection=True)

    def form_page(self, form, count: int, *, selection: bool = False):
        filters = (
            []
            if selection
            else [
                (name, value)
                for name, values in self.request.GET.lists()
                if name not in OWN_PARAMETERS
                for value in values
            ]
        )
        return self.render_to_response(
            self.get_context_data(
                form=form,
                count=count,
                selection=selection,
                filters=filters,
                max_labels=MAX_LABELS,
                too_many=count > MAX_LABELS,
            )
        )

    def labels(self, form, assets):
        data = form.cleaned_data
        count = len(assets) if isinstance(assets, list) else assets.count()
        if not count:
            form.add_error(None, _("There are no assets to print labels for."))
        elif count > MAX_LABELS:
            form.add_error(
                None,
                _(
                    "%(count)s labels are more than the %(max)s that can be printed at once. "
                    "Narrow the filters, or ask IT to print them with the command."
                )
                % {"count": count, "max": MAX_LABELS},
            )
        if form.errors:
            return self.form_page(form, count, selection=self.request.method == "POST")
        layout = LAYOUTS[data["layout"]]
        content = labels_pdf(assets, layout, start=data["start"])
        name = f"inventera-labels-{timezone.localdate():%Y-%m-%d}.pdf"
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        log_event("asset_labels", self.request, labels=count, layout=layout.key)
        return response
