from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from gugus.accounts.scope import scope_for

from .selectors import case_get_for_user, cases_visible_to


@login_required
def case_list(request):
    if not scope_for(request.user).has("victim.view"):
        raise Http404
    qs = cases_visible_to(request.user).select_related("region", "owner_org").order_by("-identification_date", "-case_number")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "cases/list.html", {"page": page})


@login_required
def case_register(request):
    raise Http404


@login_required
def case_detail(request, case_id):
    case = case_get_for_user(request.user, case_id)
    return render(request, "cases/detail.html", {"case": case})
