from django import template

from gugus.monitoring.charts import fmt

register = template.Library()


@register.filter
def num(value, decimals=0):
    """Indonesian number formatting (1.234,5); '–' for no value."""
    from decimal import Decimal

    if value is None or value == "":
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    return fmt(float(value), int(decimals))


@register.filter
def get(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def pct(value, decimals=1):
    if value is None:
        return "tidak ada data"
    return fmt(float(value) * 100 if float(value) <= 1 else float(value), int(decimals)) + "%"


@register.simple_tag
def status_badge(status):
    from django.utils.html import format_html

    if status == "met":
        return format_html('<span class="badge ok">{}</span>', "target tercapai")
    if status == "not_met":
        return format_html('<span class="badge bad">{}</span>', "di bawah target")
    return ""
