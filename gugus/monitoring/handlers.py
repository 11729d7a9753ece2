"""Signal handlers: a record changed → queue the refresh of its cell → a background task."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def on_record_changed(sender=None, kind: str = "", region_code: str | None = None, date=None, **kwargs) -> None:
    """Queue the kab/kota × month (or the whole region) the change touches, then enqueue the task.
    Runs after the writer's commit (core.signals.announce), so a failure here never undoes it."""
    from .engine import active_generation, request_refresh
    from .tasks import refresh_pending

    try:
        if active_generation() is None:
            return  # nothing built yet: the first rebuild computes everything
        if request_refresh(kind or "", region_code, date) is not None:
            refresh_pending.enqueue()
    except Exception:  # noqa: BLE001 - monitoring must never break a domain write
        log.exception("monitoring refresh could not be queued for kind %s", kind)


def portrait_section(request, region, year) -> str:
    """Indicator figures on the region portrait (aggregates only)."""
    from django.template.loader import render_to_string

    from .dashboard import portrait_data
    from .selectors import can_view_region

    if region is None or region.level > 2 or not can_view_region(request.user, region.code):
        return ""
    data = portrait_data(region, year)
    if not data:
        return ""
    return render_to_string("monitoring/_portrait.html", {"data": data, "region": region}, request=request)
