"""Who may read and who may write registry records.

Reading: the registry holds no personal data (task forces, plans, budgets, regulations, counts),
so every user with `registry.view` reads it for every region — the portrait of any region is
the point of the registry.

Writing a region's records:
- `registry.edit` on a membership whose region IS that region: the region's own secretariat
  (a kab/kota secretariat edits its kab/kota, a province secretariat its province, the national
  secretariat the national level) — never another region's, not even a child region's;
- `registry.correct` (the province data steward) on a membership whose region CONTAINS it: the
  steward corrects and completes the entries of its province and of every kab/kota in it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404

from gugus.accounts.scope import scope_for
from gugus.reference.models import region_code_within

NOT_YOUR_REGION = "Anda tidak berwenang mengisi data untuk wilayah ini."


def can_view(user) -> bool:
    return scope_for(user).has("registry.view")


def require_view(user) -> None:
    if not can_view(user):
        raise Http404


def can_edit_region(user, region_code: str | None) -> bool:
    if not region_code:
        return False
    for g in scope_for(user).grants:
        if g.reach != "region":
            continue
        if "registry.edit" in g.perms and g.region_code == region_code:
            return True
        if "registry.correct" in g.perms and region_code_within(region_code, g.region_code):
            return True
    return False


def can_edit_anything(user) -> bool:
    s = scope_for(user)
    return s.has("registry.edit") or s.has("registry.correct")


def editable_region_codes(user) -> tuple[set[str], set[str]]:
    """(regions editable exactly, regions whose whole subtree is editable)."""
    exact, subtree = set(), set()
    for g in scope_for(user).grants:
        if g.reach != "region":
            continue
        if "registry.correct" in g.perms:
            subtree.add(g.region_code)
        elif "registry.edit" in g.perms:
            exact.add(g.region_code)
    return exact, subtree


def editable_region_q(user, field: str = "region__code"):
    """A filter for records whose region this user may edit."""
    from django.db.models import Q

    from gugus.reference.models import subtree_q

    exact, subtree = editable_region_codes(user)
    q = Q(pk__in=[])
    for code in exact:
        q |= Q(**{field: code})
    for code in subtree:
        q |= subtree_q(field, code)
    return q


def require_edit_region(user, region_code: str | None, field: str = "region") -> None:
    """For a new record: a clear validation error when the region is not the user's to fill."""
    if not can_edit_region(user, region_code):
        raise ValidationError({field: NOT_YOUR_REGION})
