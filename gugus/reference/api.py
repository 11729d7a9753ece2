"""Reference data over the API: regions (search through the name resolver, children, detail),
countries and code lists. Any authenticated caller may read them; nothing here is personal."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404
from ninja import Router, Schema

from .models import ROOT_CODE, Code, CodeList, Country, Region
from .regions import CODE_RE, RegionLookupError, compact_key, name_key, resolve_region_code

router = Router(tags=["reference"])
MAX_LIMIT = 500


class ReferenceRegionOut(Schema):
    code: str
    name: str
    kind: str
    level: int
    parent: str | None = None
    population_total: int | None = None
    population_year: int | None = None

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent_id


class ReferenceRegionDetail(ReferenceRegionOut):
    parents: list[ReferenceRegionOut]
    children_count: int
    population_male: int | None = None
    population_female: int | None = None
    population_source: str
    area_km2: float | None = None
    iso_3166_2: str
    short_name: str


class RegionPage(Schema):
    count: int
    limit: int
    offset: int
    resolved: str | None = None
    ambiguous: bool = False
    message: str = ""
    items: list[ReferenceRegionOut]


class CountryOut(Schema):
    code: str
    alpha3: str
    name_id: str
    name_en: str


class CodeOut(Schema):
    code: str
    key: str
    label_id: str
    label_en: str
    legal_basis: str
    active: bool


class CodeListOut(Schema):
    key: str
    name_id: str
    name_en: str
    version: str
    codes: list[CodeOut]


class CodeListRef(Schema):
    key: str
    name_id: str
    name_en: str
    version: str
    count: int


def _levels(level: int | None) -> tuple[int, ...]:
    return (level,) if level is not None else (1, 2, 3)


@router.get("/regions", response=RegionPage, summary="Cari wilayah (nama/kode) atau daftar anak wilayah")
def regions(request, q: str = "", parent: str = "", level: int | None = None, limit: int = 100, offset: int = 0):
    """`q`: a name or code as people write it ("Kab. Indramayu", "3212"); an exact match is
    `resolved`, an ambiguous name lists its candidates and `ambiguous` is true; otherwise a
    search by name. `parent`: the children of a region. `level`: 0–4."""
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    qs = Region.objects.all()
    if parent:
        qs = qs.filter(parent_id=parent)
    if level is not None:
        qs = qs.filter(level=level)
    resolved, ambiguous, message = None, False, ""
    q = q.strip()[:120]
    if q:
        try:
            resolved = resolve_region_code(q, levels=_levels(level), within=parent or None)
            qs = qs.model.objects.filter(pk=resolved)
        except RegionLookupError as exc:
            message = str(exc)
            if exc.reason == "ambiguous":
                ambiguous = True
                qs = qs.filter(pk__in=exc.codes)
            else:
                key = name_key(q)[0]
                if not key:
                    qs = qs.none()
                else:
                    cond = Q(name_key__contains=key)
                    if compact_key(key) != key:
                        cond |= Q(name_key__contains=compact_key(key))
                    qs = qs.filter(cond)
    qs = qs.order_by("level", "code")
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "resolved": resolved,
        "ambiguous": ambiguous,
        "message": message,
        "items": list(qs[offset : offset + limit]),
    }


@router.get("/regions/{code}", response=ReferenceRegionDetail, summary="Satu wilayah")
def region_detail(request, code: str):
    if code != ROOT_CODE and not CODE_RE.match(code):
        raise Http404
    region = Region.objects.filter(pk=code).annotate(children_count=Count("children")).first()
    if region is None:
        raise Http404
    parents = Region.objects.filter(pk__in=region.ancestors_codes()[:-1]).order_by("level")
    return {
        **{
            f: getattr(region, f)
            for f in (
                "code",
                "name",
                "kind",
                "level",
                "population_total",
                "population_year",
                "population_male",
                "population_female",
                "population_source",
                "iso_3166_2",
                "short_name",
            )
        },
        "parent": region.parent_id,
        "area_km2": float(region.area_km2) if region.area_km2 is not None else None,
        "children_count": region.children_count,
        "parents": list(parents),
    }


@router.get("/countries", response=list[CountryOut], summary="Negara (ISO 3166-1, nama Indonesia)")
def countries(request, q: str = ""):
    qs = Country.objects.all()
    q = q.strip()[:60]
    if q:
        qs = qs.filter(Q(code__iexact=q) | Q(alpha3__iexact=q) | Q(name_id__icontains=q) | Q(name_en__icontains=q))
    return list(qs.order_by("name_id"))


@router.get("/codelists", response=list[CodeListRef], summary="Daftar kode yang ada")
def codelists(request):
    return list(CodeList.objects.annotate(count=Count("codes", filter=Q(codes__active=True))).order_by("key"))


@router.get("/codelists/{list_key}", response=CodeListOut, summary="Satu daftar kode")
def codelist_detail(request, list_key: str, include_retired: bool = False):
    cl = CodeList.objects.filter(pk=list_key[:40]).first()
    if cl is None:
        raise Http404
    codes = Code.objects.filter(code_list=cl)
    if not include_retired:
        codes = codes.filter(active=True)
    return {
        "key": cl.key,
        "name_id": cl.name_id,
        "name_en": cl.name_en,
        "version": cl.version,
        "codes": list(codes.order_by("sort", "code")),
    }
