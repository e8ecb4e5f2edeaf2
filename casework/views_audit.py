"""The auditor's view: the chain and whether it verifies. No content is ever in it."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit.models import Event
from audit.services import verify
from casework.roles import AUDITOR, staff_required


@staff_required(AUDITOR)
@require_GET
def audit_log(request):
    page = Paginator(Event.objects.order_by("-seq"), 50).get_page(request.GET.get("page"))
    return render(request, "casework/audit.html", {"page": page, "verification": verify()})
