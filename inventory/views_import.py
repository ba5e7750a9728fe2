"""Import and export pages: upload -> preview -> confirm, and the export of a filtered list.

The uploaded file is kept as an AssetImport (the file under MEDIA_ROOT/imports/, which
every web worker can read) between the preview and the confirmation, and removed after.
Each showing of the preview is a fresh dry run, so it always tells what a confirmation
would do now; the confirmation checks every row again and writes all of them or none.
"""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from .filters import AssetFilterSet
from .imports.columns import PRESETS, ColumnMatch, column_choices, match_columns
from .imports.export import CONTENT_TYPES, CSV, XLSX, assets_export
from .imports.reading import ImportFileError, check_size, read_table
from .imports.service import ERROR, NEW, UNCHANGED, UPDATE, assets_import
from .models import AssetImport
from .selectors import assets_visible_to

IMPORT_PERMISSIONS = ("inventory.add_asset", "inventory.change_asset")
# Rows listed one by one in the preview; the counts always cover the whole file.
PREVIEW_ROWS = 500
# Uploads nobody confirmed are removed after this long.
STALE_AFTER = timedelta(days=1)


def mapping_choices():
    return [("", gettext_lazy("Inventera's own columns (automatic)"))] + [
        (name, preset.label) for name, preset in PRESETS.items()
    ]


class AssetImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (comma or semicolon) or XLSX, at most 10 MB and 50 000 rows, with the "
            "column names in the first row."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    mapping = forms.ChoiceField(
        label=gettext_lazy("Columns"), choices=mapping_choices, required=False
    )
    create_missing = forms.BooleanField(
        label=gettext_lazy("Create missing manufacturers, models and locations"),
        required=False,
        help_text=gettext_lazy(
            "Without this, a name that is not in Inventera is an error on its row."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_size(upload.size)
            content = upload.read()
            upload.seek(0)
            read_table(content, upload.name)
        except ImportFileError as exc:
            raise ValidationError(str(exc)) from None
        return upload


class ImportOptionsForm(forms.Form):
    """Change how the uploaded file is read: the preset, create missing, and by hand
    which field each unmatched column fills."""

    mapping = forms.ChoiceField(
        label=gettext_lazy("Columns"), choices=mapping_choices, required=False
    )
    create_missing = forms.BooleanField(
        label=gettext_lazy("Create missing manufacturers, models and locations"),
        required=False,
    )

    def __init__(self, *args, headers: list[str], unmatched: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", gettext_lazy("Do not import")), *column_choices()]
        self.column_names = []
        for index in unmatched:
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(
                label=headers[index] or _("Column %(number)s") % {"number": index + 1},
                choices=choices,
                required=False,
            )
            self.column_names.append(name)

    def column_fields(self):
        return [self[name] for name in self.column_names]


def _sweep_stale() -> None:
    for upload in AssetImport.objects.filter(uploaded_at__lt=timezone.now() - STALE_AFTER):
        _discard(upload)


def _discard(upload: AssetImport) -> None:
    upload.file.delete(save=False)
    upload.delete()


class AssetImportView(PermissionRequiredMixin, FormView):
    """Step 1: choose the file."""

    permission_required = IMPORT_PERMISSIONS
    form_class = AssetImportForm
    template_name = "inventory/import_upload.html"

    def form_valid(self, form):
        _sweep_stale()
        upload = form.cleaned_data["file"]
        record = AssetImport(
            file_name=upload.name[:255],
            uploaded_by=self.request.user,
            mapping=form.cleaned_data["mapping"],
            create_missing=form.cleaned_data["create_missing"],
        )
        record.file.save(upload.name, upload, save=False)
        record.save()
        return redirect("inventory:asset_import_preview", pk=record.pk)


class AssetImportMixin(PermissionRequiredMixin):
    permission_required = IMPORT_PERMISSIONS

    @cached_property
    def upload(self) -> AssetImport:
        """The user's own upload; anyone else's is not found."""
        try:
            return AssetImport.objects.get(pk=self.kwargs["pk"], uploaded_by=self.request.user)
        except AssetImport.DoesNotExist:
            raise Http404 from None

    def content(self) -> bytes:
        try:
            with self.upload.file.open("rb") as stored:
                return stored.read()
        except OSError:
            raise Http404 from None

    def manual_columns(self) -> dict[int, str]:
        return {int(k): v for k, v in self.upload.columns.items()}

    def run(self, *, commit: bool):
        upload = self.upload
        return assets_import(
            content=self.content(),
            file_name=upload.file_name,
            actor=self.request.user,
            commit=commit,
            create_missing=upload.create_missing,
            mapping=upload.mapping,
            columns=self.manual_columns(),
        )

    def unreadable(self, error: ImportFileError):
        messages.error(self.request, str(error))
        _discard(self.upload)
        return redirect("inventory:asset_import")

    def render_preview(self, outcome, status=200, options_form=None):
        counts = outcome.counts
        shown = outcome.rows[:PREVIEW_ROWS]
        context = {
            "upload": self.upload,
            "outcome": outcome,
            "counts": {
                "new": counts[NEW],
                "update": counts[UPDATE],
                "unchanged": counts[UNCHANGED],
                "error": counts[ERROR],
            },
            "rows": [(row, row.change_rows()) for row in shown],
            "hidden_rows": len(outcome.rows) - len(shown),
            "errors": outcome.error_rows[:PREVIEW_ROWS],
            "options_form": options_form or self.options_form(outcome.columns),
            "can_confirm": bool(outcome.rows) and not outcome.has_errors,
        }
        return TemplateResponse(
            self.request, "inventory/import_preview.html", context, status=status
        )

    def options_form(self, columns: ColumnMatch, data=None):
        upload = self.upload
        initial = {
            "mapping": upload.mapping,
            "create_missing": upload.create_missing,
            **{f"column_{k}": v for k, v in upload.columns.items()},
        }
        return ImportOptionsForm(
            data, initial=initial, headers=columns.headers, unmatched=columns.unmatched
        )


class AssetImportPreviewView(AssetImportMixin, TemplateView):
    """Step 2: what each row would do; change how the file is read; confirm."""

    template_name = "inventory/import_preview.html"

    def get(self, request, *args, **kwargs):
        try:
            outcome = self.run(commit=False)
        except ImportFileError as exc:
            return self.unreadable(exc)
        return self.render_preview(outcome)

    def post(self, request, *args, **kwargs):
        """Save the reading options and show the preview again."""
        upload = self.upload
        try:
            table = read_table(self.content(), upload.file_name)
        except ImportFileError as exc:
            return self.unreadable(exc)
        columns = match_columns(table.headers, mapping=upload.mapping, manual=self.manual_columns())
        form = self.options_form(columns, data=request.POST)
        if not form.is_valid():
            return self.render_preview(self.run(commit=False), status=400, options_form=form)
        upload.mapping = form.cleaned_data["mapping"]
        upload.create_missing = form.cleaned_data["create_missing"]
        # Choices for columns the form did not show (another preset's) are kept.
        for name in form.column_names:
            key = name.removeprefix("column_")
            if form.cleaned_data.get(name):
                upload.columns[key] = form.cleaned_data[name]
            else:
                upload.columns.pop(key, None)
        upload.save(update_fields=["mapping", "create_missing", "columns"])
        return redirect("inventory:asset_import_preview", pk=upload.pk)


class AssetImportConfirmView(AssetImportMixin, View):
    """Step 3: write every row, or none if any has an error now."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            outcome = self.run(commit=True)
        except ImportFileError as exc:
            return self.unreadable(exc)
        if not outcome.committed:
            messages.error(
                request,
                _("Nothing was imported: the file has errors now. Correct them and try again."),
            )
            return self.render_preview(outcome, status=409)
        _discard(self.upload)
        counts = outcome.counts
        messages.success(
            request,
            _("%(file)s was imported: %(new)d new, %(updated)d updated, %(unchanged)d unchanged.")
            % {
                "file": outcome.file_name,
                "new": counts[NEW],
                "updated": counts[UPDATE],
                "unchanged": counts[UNCHANGED],
            },
        )
        return redirect("inventory:asset_list")


class AssetImportCancelView(AssetImportMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        _discard(self.upload)
        messages.info(request, _("The import was cancelled; nothing was imported."))
        return redirect("inventory:asset_import")


class AssetExportView(PermissionRequiredMixin, View):
    """Exactly the asset list's filtered rows, as CSV or XLSX."""

    permission_required = "inventory.view_asset"

    def get(self, request, *args, **kwargs):
        file_format = request.GET.get("format", CSV)
        if file_format not in (CSV, XLSX):
            raise Http404
        filterset = AssetFilterSet(
            request.GET or None, queryset=assets_visible_to(request.user), request=request
        )
        # As on the list page: filters it cannot use give no rows, not every row.
        if filterset.is_bound and not filterset.is_valid():
            assets = filterset.queryset.none()
        else:
            assets = filterset.qs
        content = assets_export(assets=assets, file_format=file_format)
        response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
        name = f"inventera-{timezone.localdate():%Y-%m-%d}.{file_format}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
