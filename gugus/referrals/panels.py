"""Sections this app contributes to the case-file page (registered in apps.ReferralsConfig.ready)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from gugus.accounts.scope import scope_for
from gugus.cases.selectors import access_level_for

from .selectors import referrals_for_case, route_chain, sender_orgs_for, share_consent_for


def referrals_panel(request, case) -> str:
    """Hand-overs of the case the user may see, and (for the owner) the htmx form to send one."""
    user = request.user
    if not scope_for(user).has("referral.view"):
        return ""
    refs = list(referrals_for_case(user, case))
    senders = sender_orgs_for(user, case)
    if not refs and not senders:
        return ""
    return render_to_string(
        "referrals/_case_panel.html",
        {
            "case": case,
            "refs": refs,
            "can_send": bool(senders),
            "consent": share_consent_for(case) if senders else None,
            "today": timezone.localdate(),
        },
        request=request,
    )


def route_panel(request, case) -> str:
    """The route as a chain: origin → transit → destination, with the organisations that acted
    at each. Hidden from organisations that only hold a service-level grant (least privilege)."""
    if access_level_for(request.user, case) not in ("owner", "full", "read", "region"):
        return ""
    return render_to_string(
        "referrals/_route_panel.html", {"case": case, "stops": route_chain(request.user, case)}, request=request
    )
