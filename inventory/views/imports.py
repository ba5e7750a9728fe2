"""Import and export pages: upload -> preview -> confirm, and the export of a filtered list.

The uploaded file is kept as an AssetImport (the file under MEDIA_ROOT/imports/, which
every web worker can read) between the preview and the confirmation, and removed after.
Each showing of the preview is a fresh dry run, so it always tells what a confirmation
would do now; the confirmation checks every row again and writes all of them or none.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, npgettext
from django.views import View
from django.views.generic import FormView

from config.security import log_event

from ..choices import ImportState
from ..filters import AssetFilterSet
from ..imports.export import CONTENT_TYPES, CSV, XLSX, assets_export
from ..imports.forms import AssetImportForm, ImportOptionsForm, libraries_for
from ..imports.jobs import import_job_enqueue, progress_of
from ..imports.options import ImportOptions
from ..imports.reading import ImportFileError, read_table
from ..imports.rejected import rejected_rows_file
from ..imports.service import ERROR, NEW, UNCHANGED, UPDATE, assets_import
from ..imports.uploads import (
    upload_apply_saved,
    upload_choices_initial,
    upload_discard,
    upload_options,
    upload_save_choices,
    uploads_discard_stale,
)
from ..models import AssetImport, ImportMapping
from ..selectors import assets_visible_to
from ..viewmixins import ServiceFormMixin

IMPORT_PERMISSIONS = ("inventory.add_asset", "inventory.change_asset")
# Rows listed one by one in the preview; the counts always cover the whole file.
PREVIEW_ROWS = 500


def imported_message(file_name: str, new: int, updated: int, unchanged: int) -> str:
    """ "lista.csv was imported: 1 new, 2 updated, 0 unchanged.", each count with its own
    plural (in Swedish the words agree with the number: 1 ny, 2 nya)."""
    # The same texts as the finished background import's page (import_job.html).
    context = "assets in an import"
    counts = [
        npgettext(context, "%(counter)s new", "%(counter)s new", new) % {"counter": new},
        npgettext(context, "%(counter)s updated", "%(counter)s updated", updated)
        % {"counter": updated},
        npgettext(context, "%(counter)s unchanged", "%(counter)s unchanged", unchanged)
        % {"counter": unchanged},
    ]
    return _("%(file)s was imported: %(counts)s.") % {
        "file": file_name,
        "counts": ", ".join(counts),
    }


def left_out_message(left_out: list[int]) -> str:
    return ngettext(
        "Left out, with errors: row %(rows)s.",
        "Left out, with errors: rows %(rows)s.",
        len(left_out),
    ) % {"rows": ", ".join(str(n) for n in left_out)}


class AssetImportView(PermissionRequiredMixin, FormView):
    """Step 1: choose the file."""

    permission_required = IMPORT_PERMISSIONS
    form_class = AssetImportForm
    template_name = "inventory/import_upload.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "libraries": libraries_for(self.request.user)}

    def form_valid(self, form):
        uploads_discard_stale()
        data = form.cleaned_data
        upload = data["file"]
        record = AssetImport(
            file_name=upload.name[:255],
            uploaded_by=self.request.user,
            mapping=data["mapping"],
            create_missing=data["create_missing"],
            library=data["library"],
            encoding=data["encoding"],
        )
        saved = data.get("saved")
        if saved is not None:
            upload_apply_saved(record, saved)
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

    def options(self) -> ImportOptions:
        return upload_options(self.upload)

    def run(self, *, commit: bool, leave_out_errors: bool = False):
        upload = self.upload
        return assets_import(
            content=self.content(),
            file_name=upload.file_name,
            actor=self.request.user,
            commit=commit,
            options=self.options(),
            leave_out_errors=leave_out_errors,
        )

    def unreadable(self, error: ImportFileError):
        """A file that cannot be read at all: back to the upload, or, if a chosen
        encoding is the trouble, the preview's choices stay reachable."""
        messages.error(self.request, str(error))
        if self.upload.encoding:
            self.upload.encoding = ""
            self.upload.save(update_fields=["encoding"])
            return redirect("inventory:asset_import_preview", pk=self.upload.pk)
        upload_discard(self.upload)
        return redirect("inventory:asset_import")

    def render_preview(self, outcome, status=200, options_form=None):
        counts = outcome.counts
        shown = outcome.rows[:PREVIEW_ROWS]
        cleared = outcome.cleared
        context = {
            "upload": self.upload,
            "outcome": outcome,
            "counts": {
                "new": counts[NEW],
                "update": counts[UPDATE],
                "unchanged": counts[UNCHANGED],
                "error": counts[ERROR],
            },
            "valid": counts[NEW] + counts[UPDATE] + counts[UNCHANGED],
            "rows": [(row, row.change_rows()) for row in shown],
            "hidden_rows": len(outcome.rows) - len(shown),
            "errors": outcome.error_rows[:PREVIEW_ROWS],
            "cleared": [(row, row.change_row(name)) for row, name in cleared[:PREVIEW_ROWS]],
            "cleared_count": len(cleared),
            # Moving equipment to another library changes who sees it and who pays.
            "library_moves": sum(
                1 for row in outcome.rows if row.kind == UPDATE and "library" in row.changes
            ),
            "header_row": outcome.table.header_row if outcome.table else 1,
            "options_form": options_form or self.options_form(outcome),
            "can_confirm": bool(outcome.rows) and not outcome.has_errors,
        }
        return TemplateResponse(
            self.request, "inventory/import_preview.html", context, status=status
        )

    def options_form(self, outcome, data=None):
        upload = self.upload
        return ImportOptionsForm(
            data,
            initial=upload_choices_initial(upload),
            headers=outcome.columns.headers,
            unmatched=outcome.columns.unmatched,
            unknown=outcome.unknown,
            libraries=libraries_for(self.request.user),
        )


class AssetImportPreviewView(ServiceFormMixin, AssetImportMixin, View):
    """Step 2: what each row would do; change how the file is read; confirm. While a
    large file is imported in the background, how far it has come; then what it did."""

    def get(self, request, *args, **kwargs):
        upload = self.upload
        if upload.state in (ImportState.QUEUED, ImportState.RUNNING, ImportState.DONE):
            return self.render_job(upload)
        if upload.state == ImportState.FAILED:
            self.tell_failed(upload)
        try:
            outcome = self.run(commit=False)
        except ImportFileError as exc:
            return self.unreadable(exc)
        return self.render_preview(outcome)

    def render_job(self, upload):
        progress = progress_of(upload) if upload.state == ImportState.RUNNING else {}
        if self.request.GET.get("format") == "json":
            return JsonResponse({"state": upload.state, **progress})
        return TemplateResponse(
            self.request,
            "inventory/import_job.html",
            {"upload": upload, "progress": progress, "result": upload.result},
        )

    def tell_failed(self, upload) -> None:
        """The background import wrote nothing: say why, and preview the file again."""
        result = upload.result
        if result.get("message"):
            messages.error(self.request, result["message"])
        else:
            messages.error(
                self.request,
                _("Nothing was imported: the file has errors now. Correct them and try again.")
                if result.get("errors") or result.get("problems")
                else _("The import stopped on an unexpected error; nothing was imported."),
            )
        upload.state = ImportState.PREVIEW
        upload.save(update_fields=["state"])

    def post(self, request, *args, **kwargs):
        """Save the reading options and show the preview again."""
        upload = self.upload
        if upload.state != ImportState.PREVIEW:
            return redirect("inventory:asset_import_preview", pk=upload.pk)
        try:
            self.outcome = self.run(commit=False)
        except ImportFileError as exc:
            return self.unreadable(exc)
        form = self.options_form(self.outcome, data=request.POST)
        return self.form_valid(form) if form.is_valid() else self.form_invalid(form)

    def form_invalid(self, form):
        return self.render_preview(self.outcome, status=400, options_form=form)

    def call_service(self, form):
        """The choices saved on the upload; a mapped value the form refuses (a
        ValidationError) is shown on it."""
        values, create = form.mapped_values()
        upload_save_choices(
            self.upload,
            choices=form.cleaned_data,
            column_fields=form.column_names,
            values=values,
            create=create,
        )
        if form.cleaned_data["save_as"]:
            self.save_mapping(form.cleaned_data["save_as"], self.outcome)
        return redirect("inventory:asset_import_preview", pk=self.upload.pk)

    def save_mapping(self, name: str, outcome) -> None:
        options = self.options()
        saved = options.to_dict(outcome.columns.headers)
        try:
            with transaction.atomic():
                mapping, created = ImportMapping.objects.update_or_create(
                    name=name, defaults={"options": saved, "saved_by": self.request.user}
                )
        except IntegrityError:
            messages.error(self.request, _("The choices could not be saved; try again."))
            return
        messages.success(
            self.request,
            (
                _("The choices were saved as “%(name)s”.")
                if created
                else _("The saved choices “%(name)s” were replaced.")
            )
            % {"name": mapping.name},
        )


class AssetImportRejectedView(AssetImportMixin, View):
    """The rows with errors, as a file to correct and import again."""

    def get(self, request, *args, **kwargs):
        try:
            outcome = self.run(commit=False)
        except ImportFileError as exc:
            return self.unreadable(exc)
        if not outcome.error_rows:
            messages.info(request, _("No row has errors now."))
            return redirect("inventory:asset_import_preview", pk=self.upload.pk)
        content, content_type, name = rejected_rows_file(outcome)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{_ascii(name)}"'
        return response


def _ascii(name: str) -> str:
    return "".join(c if c.isascii() and c not in '"\\' else "_" for c in name)


class AssetImportConfirmView(AssetImportMixin, View):
    """Step 3: write every row, or none if any has an error now; or, when the user chose
    it explicitly, the rows without errors."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        upload = self.upload
        if upload.state != ImportState.PREVIEW:
            return redirect("inventory:asset_import_preview", pk=upload.pk)
        leave_out = request.POST.get("leave_out_errors") == "yes"
        if self.is_large():
            import_job_enqueue(upload=upload, leave_out_errors=leave_out)
            log_event("import_queued", request, file_name=upload.file_name)
            messages.info(
                request,
                _(
                    "The file is imported in the background; this page shows how far it "
                    "has come. You may leave it."
                ),
            )
            return redirect("inventory:asset_import_preview", pk=upload.pk)
        try:
            outcome = self.run(commit=True, leave_out_errors=leave_out)
        except ImportFileError as exc:
            return self.unreadable(exc)
        if not outcome.committed:
            messages.error(
                request,
                _("Nothing was imported: the file has errors now. Correct them and try again."),
            )
            return self.render_preview(outcome, status=409)
        upload_discard(self.upload)
        counts = outcome.counts
        log_event(
            "import",
            request,
            file_name=outcome.file_name,
            new=counts[NEW],
            updated=counts[UPDATE],
            unchanged=counts[UNCHANGED],
            left_out=len(outcome.left_out),
        )
        messages.success(
            request,
            imported_message(outcome.file_name, counts[NEW], counts[UPDATE], counts[UNCHANGED]),
        )
        if outcome.left_out:
            messages.warning(request, left_out_message(outcome.left_out))
        return redirect("inventory:asset_list")

    def is_large(self) -> bool:
        limit = settings.INVENTERA_BACKGROUND_IMPORT_ROWS
        if not limit:
            return False
        try:
            table = read_table(
                self.content(), self.upload.file_name, encoding=self.upload.encoding or None
            )
        except ImportFileError:
            return False  # the import itself says what is wrong
        return len(table.rows) > limit


class AssetImportCancelView(AssetImportMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if self.upload.state == ImportState.RUNNING:
            messages.error(request, _("The import is running and cannot be cancelled now."))
            return redirect("inventory:asset_import_preview", pk=self.upload.pk)
        upload_discard(self.upload)
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
        log_event("asset_export", request, file_name=name, query=request.GET.urlencode())
        return response
