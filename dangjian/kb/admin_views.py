"""The admin upload of knowledge-entry files."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from dangjian.kb.actions import import_file
from dangjian.kb.export import FORMATS, export_bytes
from dangjian.kb.forms import ImportForm
from dangjian.kb.models import Entry
from dangjian.kb.permissions import editable_units


def import_entries(request):
    if not editable_units(request.user).exists():
        raise PermissionDenied
    errors = []
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = import_file(upload.name, upload.read(), user=request.user)
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(
                    request,
                    _("导入完成：新增 %(created)d 条，更新 %(updated)d 条。")
                    % {"created": result.created, "updated": result.updated},
                )
                return redirect("kb_import")
    else:
        form = ImportForm()
    return TemplateResponse(
        request,
        "kb/admin/import.html",
        {"form": form, "errors": errors, "units": editable_units(request.user)},
    )


def export_entries(request, fmt: str):
    """The entries of the units this person edits, in the import template."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    units = editable_units(request.user)
    if not units.exists():
        raise PermissionDenied
    entries = Entry.objects.owned_by(units).select_related("owner").order_by("pk")
    name = f"知识条目-{timezone.localdate():%Y%m%d}.{fmt}"
    response = HttpResponse(export_bytes(entries, fmt), content_type=FORMATS[fmt])
    # An attachment always gets a header (None is only for inline, unnamed).
    response["Content-Disposition"] = (
        content_disposition_header(True, name) or "attachment"
    )
    return response
