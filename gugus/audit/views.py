from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from .selectors import audit_events_visible_to


@login_required
def audit_list(request):
    qs = audit_events_visible_to(request.user)
    if qs is None:
        raise Http404
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"page": page})
