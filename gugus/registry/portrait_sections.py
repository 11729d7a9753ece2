"""Sections of the region portrait contributed by other apps (cases, care, referrals, …).

    from gugus.registry.portrait_sections import register_portrait_section
    register_portrait_section("cases", order=50, render=cases_portrait)  # render(request, region, year) -> str

`render` returns HTML built from aggregates only (never a person) unless the user's scope
allows more; "" to omit. The portrait page (registry) calls every registered section.
A section that raises is logged and replaced by a short notice, so one broken contribution
never takes the whole portrait down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.html import format_html

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PortraitSection:
    key: str
    order: int
    render: Callable  # (request, region, year) -> str


PORTRAIT_SECTIONS: dict[str, PortraitSection] = {}


def register_portrait_section(key: str, *, order: int, render: Callable) -> None:
    PORTRAIT_SECTIONS[key] = PortraitSection(key, order, render)


def render_portrait_sections(request, region, year) -> list[tuple[str, str]]:
    out = []
    for section in sorted(PORTRAIT_SECTIONS.values(), key=lambda s: s.order):
        try:
            html = section.render(request, region, year)
        except Exception:  # a contributed section must not break the page
            logger.exception("portrait section %s failed for region %s", section.key, getattr(region, "code", "?"))
            html = format_html(
                '<div class="card"><p class="muted">Bagian “{}” tidak dapat ditampilkan saat ini.</p></div>',
                section.key,
            )
        if html:
            out.append((section.key, html))
    return out
