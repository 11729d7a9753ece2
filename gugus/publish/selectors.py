"""Reads of the publish app: the public help directory, releases, report jobs."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet
from django.http import Http404

from gugus.accounts.models import Organisation
from gugus.accounts.scope import scope_for
from gugus.reference.models import Region, region_code_within, subtree_q
from gugus.reference.regions import RegionLookupError, name_key, resolve_region_code

from .models import Release, ReportJob

SAFE_HOUSE = "org_type.safe_house"


# --------------------------------------------------------------------------- help directory


def directory_queryset() -> QuerySet[Organisation]:
    """Service units that chose to be listed. Never a safe house, never anything with a secret
    location; only the public contact fields are ever read from here."""
    return (
        Organisation.objects.filter(listed_publicly=True, active=True, secret_location="")
        .exclude(org_type_id=SAFE_HOUSE)
        .select_related("region", "org_type")
        .only(
            "id",
            "name",
            "org_type__label_id",
            "region__name",
            "region__code",
            "public_address",
            "public_phone",
            "public_hours",
            "public_services",
        )
    )


def directory_regions(q: str) -> list[Region]:
    """Regions whose name matches the query (for 'did you mean')."""
    key = name_key(q or "")[0]
    if len(key) < 3:
        return []
    return list(Region.objects.filter(level__in=(1, 2), name_key__contains=key).order_by("code")[:20])


def help_directory(q: str = "", region_code: str = "") -> tuple[Region | None, list[Organisation], list[Region]]:
    """(region found, units serving it, other matching regions). Units of the region, of its
    province and national ones that are listed publicly."""
    region = None
    suggestions: list[Region] = []
    code = (region_code or "").strip()
    if not code and q:
        try:
            code = resolve_region_code(q, levels=(1, 2))
        except RegionLookupError as exc:
            suggestions = directory_regions(q) or (
                list(Region.objects.filter(code__in=exc.codes)) if getattr(exc, "codes", None) else []
            )
            return None, [], suggestions
    if code:
        region = Region.objects.filter(code=code, level__in=(0, 1, 2)).first()
        if region is None:
            return None, [], []
    qs = directory_queryset()
    if region is not None and region.code != "ID":
        province = region.code.split(".")[0]
        qs = qs.filter(subtree_q("region_id", region.code) | Q(region_id=province) | Q(region_id="ID"))
    return region, list(qs.order_by("region_id", "name")[:200]), suggestions


def directory_entry(org: Organisation) -> dict:
    return {
        "id": str(org.pk),
        "name": org.name,
        "type": org.org_type.label_id,
        "region_code": org.region.code,
        "region": org.region.name,
        "address": org.public_address,
        "phone": org.public_phone,
        "hours": org.public_hours,
        "services": org.public_services,
    }


# --------------------------------------------------------------------------- releases


def releases_published() -> QuerySet[Release]:
    return Release.objects.filter(published=True).order_by("-created_at")


def latest_release() -> Release | None:
    return releases_published().first()


def release_get(release_id) -> Release:
    try:
        uuid.UUID(str(release_id))
    except ValueError:
        raise Http404
    rel = releases_published().filter(pk=release_id).first()
    if rel is None:
        raise Http404
    return rel


# --------------------------------------------------------------------------- reports


def report_regions(user) -> set[str]:
    scope = scope_for(user)
    return scope.regions_with("report.generate") | scope.regions_with("report.view")


def reports_visible_to(user) -> QuerySet[ReportJob]:
    codes = report_regions(user)
    if not codes:
        return ReportJob.objects.none()
    q = Q(pk__in=[])
    for code in codes:
        q |= subtree_q("region_id", code)
    return ReportJob.objects.filter(q).select_related("region", "requested_by").defer("pdf", "xlsx")


def report_get_for_user(user, job_id) -> ReportJob:
    try:
        uuid.UUID(str(job_id))
    except ValueError:
        raise Http404
    job = reports_visible_to(user).filter(pk=job_id).first()
    if job is None:
        raise Http404
    return job


def can_generate(user) -> bool:
    return scope_for(user).has("report.generate")


def covers(user, code: str) -> bool:
    return any(region_code_within(code, c) for c in report_regions(user))
