"""Staff pages of the import of existing contacts: file, columns, preview, confirmation, summary."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sohosolo.accounts.permissions import territory_permission_required

from ..import_forms import ImportMappingForm, ImportUploadForm
from ..imports import (
    SYNC_ROWS,
    ImportNotPending,
    ImportRefused,
    RowStatus,
    import_batch_apply,
    import_batch_cancel,
    import_batch_create,
    import_batch_is_queued,
    import_batch_map,
    import_batch_preview,
    import_batch_queue,
    line_ranges,
    mapping_errors,
)
from ..models import ImportBatch, ImportStatus

PERM = "prospects.import_prospects"
PER_PAGE = 100
ERRORS_LISTED = 50
FILTERS = {"erreurs": RowStatus.ERROR, "doublons": RowStatus.DUPLICATE, "a-creer": RowStatus.OK}


def _batch(request, pk: int) -> ImportBatch:
    """A batch of the request's territory (another territory's answers 404)."""
    return get_object_or_404(ImportBatch, pk=pk, territory=request.territory)


@require_http_methods(["GET", "POST"])
@territory_permission_required(PERM)
def import_upload(request):
    form = ImportUploadForm(request.POST, request.FILES) if request.method == "POST" else ImportUploadForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = import_batch_create(
                territory=request.territory,
                by=request.user,
                filename=upload.name,
                data=upload.read(),
                channel=form.cleaned_data["channel"],
                consent_basis=form.cleaned_data["consent_basis"],
            )
        except ImportRefused as exc:
            form.add_error(exc.field or "file", exc.message)
        else:
            return redirect("prospects_staff:import_mapping", batch.pk)
    recent = ImportBatch.objects.filter(territory=request.territory).select_related("created_by")[:10]
    return render(
        request,
        "prospects/import_upload.html",
        {"form": form, "recent": recent},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@territory_permission_required(PERM)
def import_mapping(request, pk: int):
    batch = _batch(request, pk)
    if batch.status != ImportStatus.PREVIEW:
        return redirect("prospects_staff:import_done", batch.pk)
    form = ImportMappingForm(request.POST or None, batch=batch)
    if request.method == "POST" and form.is_valid():
        try:
            import_batch_map(batch=batch, mapping=form.mapping)
        except ImportRefused as exc:
            form.add_error(exc.field, exc.message)
        else:
            return redirect("prospects_staff:import_preview", batch.pk)
    return render(
        request,
        "prospects/import_mapping.html",
        {"batch": batch, "form": form, "row_count": sum(1 for row in batch.rows if row)},
        status=400 if form.errors else 200,
    )


@require_safe
@territory_permission_required(PERM)
def import_preview(request, pk: int):
    batch = _batch(request, pk)
    if batch.status != ImportStatus.PREVIEW:
        return redirect("prospects_staff:import_done", batch.pk)
    if mapping_errors(batch.mapping or {}):
        return redirect("prospects_staff:import_mapping", batch.pk)
    preview = import_batch_preview(batch)
    shown = request.GET.get("statut", "")
    rows = preview.rows
    if shown in FILTERS:
        rows = [row for row in rows if row.status == FILTERS[shown]]
    else:
        shown = ""
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    error_rows = preview.errors
    return render(
        request,
        "prospects/import_preview.html",
        {
            "batch": batch,
            "preview": preview,
            "counts": preview.counts,
            "page": page,
            "shown": shown,
            "error_rows": error_rows[:ERRORS_LISTED],
            "more_errors": max(0, len(error_rows) - ERRORS_LISTED),
            "queued": import_batch_is_queued(batch),
        },
    )


@require_POST
@territory_permission_required(PERM)
def import_confirm(request, pk: int):
    batch = _batch(request, pk)
    if sum(1 for row in batch.rows if row) > SYNC_ROWS:
        try:
            import_batch_queue(batch=batch, by=request.user)
        except ImportNotPending as exc:
            messages.info(request, exc.message)
        return redirect("prospects_staff:import_done", batch.pk)
    try:
        summary = import_batch_apply(batch=batch, by=request.user)
    except ImportNotPending as exc:
        messages.info(request, exc.message)
    except ImportRefused as exc:
        messages.error(request, exc.message)
        return redirect("prospects_staff:import_mapping", batch.pk)
    else:
        messages.success(
            request,
            ngettext(
                "Import terminé : %(count)s contact créé.",
                "Import terminé : %(count)s contacts créés.",
                summary["created"],
            )
            % {"count": summary["created"]},
        )
    return redirect("prospects_staff:import_done", batch.pk)


@require_POST
@territory_permission_required(PERM)
def import_cancel(request, pk: int):
    batch = _batch(request, pk)
    try:
        import_batch_cancel(batch=batch, by=request.user)
    except ImportNotPending as exc:
        messages.info(request, exc.message)
    else:
        messages.success(
            request, _("Import annulé : aucun contact n'a été créé et le contenu du fichier est effacé.")
        )
    return redirect("prospects_staff:import_done", batch.pk)


@require_safe
@territory_permission_required(PERM)
def import_done(request, pk: int):
    batch = _batch(request, pk)
    if import_batch_is_queued(batch):
        return render(request, "prospects/import_done.html", {"batch": batch, "in_progress": True})
    if batch.status == ImportStatus.PREVIEW:
        return redirect("prospects_staff:import_preview", batch.pk)
    summary = batch.summary or {}
    noted = set(summary.get("noted_on_existing_lines", []))
    duplicate_lines = summary.get("duplicate_lines", [])
    return render(
        request,
        "prospects/import_done.html",
        {
            "batch": batch,
            "summary": summary,
            "created_lines": line_ranges(summary.get("created_lines", [])),
            "error_lines": line_ranges(summary.get("error_lines", [])),
            "noted_lines": line_ranges(sorted(noted)),
            "in_file_duplicate_lines": line_ranges([n for n in duplicate_lines if n not in noted]),
        },
    )
