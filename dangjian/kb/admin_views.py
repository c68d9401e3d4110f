"""The admin upload of knowledge-entry files."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from dangjian.kb.actions import editable_units, import_file
from dangjian.kb.forms import ImportForm


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
                    f"导入完成：新增 {result.created} 条，更新 {result.updated} 条。",
                )
                return redirect("kb_import")
    else:
        form = ImportForm()
    return TemplateResponse(
        request,
        "kb/admin/import.html",
        {"form": form, "errors": errors, "units": editable_units(request.user)},
    )
