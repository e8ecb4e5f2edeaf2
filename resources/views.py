"""Administrators keep the list of hotlines and services reporters see. Thin views over services."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework.roles import ADMIN, staff_required
from resources import services
from resources.forms import ResourceForm
from resources.models import Resource


@staff_required(ADMIN)
@require_GET
def resource_list(request):
    return render(request, "casework/resources/list.html", {"resources": Resource.objects.all()})


def _form_page(request, form, title: str):
    return render(
        request,
        "casework/resources/form.html",
        {"form": form, "title": title},
        status=400 if form.errors else 200,
    )


@staff_required(ADMIN)
@require_http_methods(["GET", "POST"])
def resource_new(request):
    form = ResourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.save(request.user, form)
        return redirect("resources:list")
    return _form_page(request, form, _("New resource"))


@staff_required(ADMIN)
@require_http_methods(["GET", "POST"])
def resource_edit(request, resource_id: int):
    resource = get_object_or_404(Resource, pk=resource_id)
    form = ResourceForm(request.POST or None, instance=resource)
    if request.method == "POST" and form.is_valid():
        services.save(request.user, form)
        return redirect("resources:list")
    return _form_page(request, form, _("Change a resource"))


@staff_required(ADMIN)
@require_POST
def resource_delete(request, resource_id: int):
    services.delete(request.user, get_object_or_404(Resource, pk=resource_id))
    return redirect("resources:list")
