"""Reads of the exchange app, always with the user."""

from __future__ import annotations

import uuid

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from gugus.accounts.scope import scope_for
from gugus.reference.models import subtree_q

from .models import ImportBatch, ImportRow


def imports_visible_to(user) -> QuerySet[ImportBatch]:
    """Batches of the organisations through which the user may import."""
    scope = scope_for(user)
    orgs = scope.orgs_with("import.run")
    if not orgs:
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(organisation__in=orgs).select_related("organisation", "created_by")


def import_get_for_user(user, batch_id) -> ImportBatch:
    try:
        uuid.UUID(str(batch_id))
    except ValueError:
        raise Http404
    batch = imports_visible_to(user).filter(pk=batch_id).first()
    if batch is None:
        raise Http404
    return batch


def import_rows(batch: ImportBatch, *, status: str | None = None) -> QuerySet[ImportRow]:
    qs = batch.rows.all().defer("raw")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("row_number")


def can_download_error_sheet(user, batch: ImportBatch) -> bool:
    """The error sheet repeats the uploaded cells (identities included): only the uploader."""
    return batch.created_by_id == getattr(user, "pk", None)


def identity_case_q(user) -> Q:
    """Cases whose identity this user may read: the same rule as `cases.selectors.can_view_identity`,
    as one query filter (so an export decides per row without a query per row)."""
    from gugus.cases.models import CaseAccess

    scope = scope_for(user)
    id_orgs = scope.identity_orgs()
    referred = scope.identity_referred_orgs()
    q = Q(pk__in=[])
    if id_orgs:
        q |= Q(owner_org__in=id_orgs) | Q(registering_org__in=id_orgs)
        q |= Q(
            Exists(
                CaseAccess.objects.filter(
                    case=OuterRef("pk"), revoked_at__isnull=True, organisation__in=id_orgs, level__in=["full", "read"]
                )
            )
        )
    if id_orgs or referred:
        q |= Q(
            Exists(
                CaseAccess.objects.filter(
                    case=OuterRef("pk"), revoked_at__isnull=True, organisation__in=id_orgs | referred, level="service"
                )
            )
        )
    for code in scope.identity_region_codes():
        q |= subtree_q("region_id", code)
    return q


def may_export_identities(user) -> bool:
    scope = scope_for(user)
    return scope.has("export.identity") or bool(scope.identity_region_codes())
