"""Template filters of the registry: Rupiah, statuses as badges."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html

from ..forms import format_rupiah
from ..models import RadStatus, TaskForceStatus

register = template.Library()

RAD_BADGE = {"enacted": "ok", "drafting": "warn", "expired": "warn", "none": "bad"}
TF_BADGE = {"active": "ok", "inactive": "warn", "dissolved": "bad"}


@register.filter
def rupiah(value) -> str:
    """150000000 -> 'Rp150.000.000'; None -> '–'."""
    if value is None or value == "":
        return "–"
    return "Rp" + format_rupiah(Decimal(value))


@register.filter
def rad_badge(status) -> str:
    return format_html(
        '<span class="badge {}">{}</span>', RAD_BADGE.get(status, ""), dict(RadStatus.choices).get(status, status)
    )


@register.filter
def tf_badge(status) -> str:
    if not status:
        return format_html('<span class="badge bad">{}</span>', "Belum ada")
    return format_html(
        '<span class="badge {}">{}</span>', TF_BADGE.get(status, ""), dict(TaskForceStatus.choices).get(status, status)
    )


@register.filter
def get_item(d, key):
    return d.get(key) if d else None


@register.filter
def pct(part, whole) -> str:
    try:
        if not whole:
            return "–"
        return f"{Decimal(part) / Decimal(whole) * 100:.0f}%"
    except (TypeError, ValueError, ArithmeticError):
        return "–"
