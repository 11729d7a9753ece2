"""API of the publish app (under /api/v1/): open data and the help directory are public (no
token); releases and annual reports need a token with the permission."""

import datetime as dt
import uuid

from django.http import Http404, HttpResponse
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gugus.accounts.scope import scope_for

from . import opendata, selectors, services, tasks
from .models import ReportJob

router = Router(tags=["publish"])


class DatasetOut(Schema):
    slug: str
    title: str
    csv_url: str
    metadata: dict


class ReleaseOut(Schema):
    id: uuid.UUID
    title: str
    created_at: dt.datetime
    method: str
    threshold: int
    epsilon: float | None
    synthetic_epsilon: float | None
    years: list[int]
    datasets: list[str]

    @staticmethod
    def resolve_datasets(obj) -> list[str]:
        return sorted(obj.tables)


class TableOut(Schema):
    dataset: str
    release: uuid.UUID
    rows: list[str]
    row_labels: list[str]
    cols: list[str]
    col_labels: list[str]
    values: list[list[int | None]]
    metadata: dict


class ReleaseIn(Schema):
    method: str = "suppression"
    epsilon: float | None = None
    synthetic_epsilon: float | None = None
    years: list[int] | None = None
    title: str = ""


class ReportIn(Schema):
    region: str
    year: int


class ReportOut(Schema):
    id: uuid.UUID
    region: str
    year: int
    status: str
    progress: int
    step: str
    message: str
    pdf_url: str | None
    xlsx_url: str | None

    @staticmethod
    def resolve_region(obj) -> str:
        return obj.region_id

    @staticmethod
    def resolve_pdf_url(obj) -> str | None:
        return f"/api/v1/reports/{obj.pk}.pdf" if obj.status == ReportJob.Status.DONE else None

    @staticmethod
    def resolve_xlsx_url(obj) -> str | None:
        return f"/api/v1/reports/{obj.pk}.xlsx" if obj.status == ReportJob.Status.DONE else None


class HelpUnitOut(Schema):
    id: str
    name: str
    type: str
    region_code: str
    region: str
    address: str
    phone: str
    hours: str
    services: str


def _release(release: uuid.UUID | None):
    rel = selectors.release_get(release) if release else selectors.latest_release()
    if rel is None:
        raise Http404
    return rel


@router.get("/opendata/", response=list[DatasetOut], auth=None, summary="Dataset data terbuka (rilis terbaru)")
def opendata_list(request, release: uuid.UUID | None = None):
    rel = _release(release)
    return [
        {
            "slug": slug,
            "title": opendata.DATASETS[slug].title,
            "csv_url": f"/api/v1/opendata/{slug}.csv?release={rel.pk}",
            "metadata": opendata.metadata(opendata.DATASETS[slug], rel),
        }
        for slug in rel.tables
    ]


@router.get("/opendata/releases", response=list[ReleaseOut], auth=None, summary="Rilis dan anggaran privasinya (ε)")
@paginate(LimitOffsetPagination)
def opendata_releases(request):
    return selectors.releases_published()


@router.post("/opendata/releases", response={201: ReleaseOut}, summary="Terbitkan rilis (opendata.publish)")
def opendata_release_create(request, payload: ReleaseIn):
    if not scope_for(request.user).has("opendata.publish"):
        raise Http404
    rel = services.release_create(
        actor=request.user,
        method=payload.method,
        epsilon=payload.epsilon,
        synthetic_epsilon=payload.synthetic_epsilon,
        years=payload.years,
        title=payload.title,
    )
    return Status(201, rel)


@router.get("/opendata/datapackage.json", auth=None, summary="Frictionless datapackage.json")
def opendata_datapackage(request, release: uuid.UUID | None = None):
    return opendata.datapackage(_release(release), "/data-terbuka/")


@router.get("/opendata/synthetic.csv", auth=None, summary="Data sintetis privasi diferensial (pac-synth)")
def opendata_synthetic(request, release: uuid.UUID | None = None):
    rel = _release(release)
    if not rel.synthetic_csv:
        raise Http404
    response = HttpResponse(rel.synthetic_csv.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="korban-sintetis.csv"'
    return response


@router.get("/opendata/{dataset}.csv", auth=None, summary="Dataset sebagai CSV (baris tagar HXL di bawah judul)")
def opendata_csv(request, dataset: str, release: uuid.UUID | None = None):
    rel = _release(release)
    if dataset not in rel.tables:
        raise Http404
    content = opendata.table_csv(opendata.DATASETS[dataset], opendata.Table.from_dict(dataset, rel.tables[dataset]))
    response = HttpResponse(content.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{dataset}.csv"'
    return response


@router.get(
    "/opendata/{dataset}",
    response=TableOut,
    auth=None,
    summary="Tabel agregat; null = disembunyikan (tidak pernah sel di bawah ambang)",
)
def opendata_table(request, dataset: str, release: uuid.UUID | None = None):
    rel = _release(release)
    if dataset not in rel.tables:
        raise Http404
    t = rel.tables[dataset]
    return {"dataset": dataset, "release": rel.pk, **t, "metadata": opendata.metadata(opendata.DATASETS[dataset], rel)}


@router.get(
    "/help-directory",
    response=list[HelpUnitOut],
    auth=None,
    summary="Direktori unit layanan publik menurut wilayah (tidak pernah rumah aman)",
)
def help_directory(request, q: str = "", region: str = ""):
    found, units, _ = selectors.help_directory(q[:100], region[:13])
    if found is None:
        return []
    return [selectors.directory_entry(u) for u in units]


@router.post("/reports", response={201: ReportOut}, summary="Minta Laporan Tahunan (report.generate)")
def report_create(request, payload: ReportIn):
    if not selectors.can_generate(request.user):
        raise Http404
    job = services.report_request(actor=request.user, region_code=payload.region, year=payload.year)
    tasks.generate_report.enqueue(str(job.pk))
    job.refresh_from_db()
    return Status(201, job)


@router.get("/reports", response=list[ReportOut], summary="Laporan Tahunan yang dapat Anda lihat")
@paginate(LimitOffsetPagination)
def report_list(request):
    if not selectors.report_regions(request.user):
        raise Http404
    return selectors.reports_visible_to(request.user).order_by("-created_at")


@router.get("/reports/{job_id}.pdf", summary="Laporan (PDF)")
def report_pdf(request, job_id: uuid.UUID):
    return _report_file(request, job_id, "pdf")


@router.get("/reports/{job_id}.xlsx", summary="Laporan (XLSX)")
def report_xlsx(request, job_id: uuid.UUID):
    return _report_file(request, job_id, "xlsx")


@router.get("/reports/{job_id}", response=ReportOut, summary="Status dan kemajuan laporan")
def report_detail(request, job_id: uuid.UUID):
    return selectors.report_get_for_user(request.user, job_id)


def _report_file(request, job_id, fmt: str):
    job = selectors.report_get_for_user(request.user, job_id)
    row = ReportJob.objects.filter(pk=job.pk, status=ReportJob.Status.DONE).values_list(fmt, flat=True).first()
    if not row:
        raise Http404
    services.report_download_audit(actor=request.user, job=job, fmt=fmt)
    mime = "application/pdf" if fmt == "pdf" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(bytes(row), content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="laporan-tahunan-{job.region_id}-{job.year}.{fmt}"'
    return response
