"""Sections of the case-file page contributed by apps above `cases` (care, referrals, …).

An app registers in its AppConfig.ready():

    from gugus.cases.panels import register_case_panel
    register_case_panel("care", order=20, render=care_panel)   # render(request, case) -> str (HTML)

`render` must use its own app's selectors (scope applied) and return "" when the user may
not see that section. The case-file view calls every registered panel in `order`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CasePanel:
    key: str
    order: int
    render: Callable  # (request, case) -> str


CASE_PANELS: dict[str, CasePanel] = {}


def register_case_panel(key: str, *, order: int, render: Callable) -> None:
    CASE_PANELS[key] = CasePanel(key, order, render)


def render_case_panels(request, case) -> list[tuple[str, str]]:
    out = []
    for panel in sorted(CASE_PANELS.values(), key=lambda p: p.order):
        html = panel.render(request, case)
        if html:
            out.append((panel.key, html))
    return out
