"""Public help directory (never a safe house) and the annual report (PDF/XLSX, in background)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from gugus.audit.models import AuditEvent
from gugus.publish import services
from gugus.publish.models import ReportJob

from .factories import make_cases

pytestmark = pytest.mark.django_db


def test_help_directory_by_region_name_never_lists_safe_houses(personas, client):
    r = client.get("/bantuan/", {"q": "Kota Batam"})
    assert r.status_code == 200
    page = r.content.decode()
    assert "UPTD PPA Kota Batam" in page
    assert "Rumah Aman" not in page
    assert "Rahasia" not in page
    api = client.get("/api/v1/help-directory", {"q": "KOTA KUPANG"}).json()
    names = {u["name"] for u in api}
    assert "UPTD PPA Kota Kupang" in names and "Dinas Sosial Provinsi NTT" in names
    assert not any("Rumah Aman" in n for n in names)
    assert all("secret" not in u and "location" not in u for u in api)


def test_help_directory_excludes_any_secret_location(personas, client):
    org = personas.orgs["uptd-3212"]
    org.secret_location = "Jl. Tersembunyi 9"
    org.save()
    names = {u["name"] for u in client.get("/api/v1/help-directory", {"q": "Indramayu"}).json()}
    assert org.name not in names
    assert "RPTC Indramayu" in names


def test_help_directory_suggests_on_partial_name(personas, client):
    r = client.get("/bantuan/", {"q": "Indram"})
    assert r.status_code == 200
    assert "Maksud Anda" in r.content.decode()


def test_annual_report_pdf_and_xlsx_in_background(personas, client_for):
    make_cases(personas.cw_a, 5, 2025, origin="32.12")
    client = client_for(personas.province)
    r = client.post("/laporan/", {"region": "32", "year": "2025"})
    assert r.status_code == 302
    job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.DONE, job.message
    assert job.progress == 100
    pdf = client.get(f"/laporan/{job.pk}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    x = client.get(f"/laporan/{job.pk}.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(x.content))
    assert wb.sheetnames[:3] == ["Ringkasan", "Wilayah di bawahnya", "Indikator"]
    assert wb["Ringkasan"]["B4"].value == 5
    assert AuditEvent.objects.filter(action="report_download", object_id=str(job.pk)).count() == 2
    # the executive of the same province may download it, not generate
    exe = client_for(personas.executive)
    assert exe.get(f"/laporan/{job.pk}.pdf").status_code == 200
    assert exe.post("/laporan/", {"region": "32", "year": "2025"}).status_code == 404
    # another province's secretariat does not see it
    assert client_for(personas.province_ntt).get(f"/laporan/{job.pk}/").status_code == 404


def test_report_request_checks_region_and_year(personas):
    with pytest.raises(ValidationError):
        services.report_request(actor=personas.province, region_code="53", year=2025)
    with pytest.raises(ValidationError):
        services.report_request(actor=personas.province, region_code="32", year=1800)
    with pytest.raises(ValidationError):
        services.report_request(actor=personas.cw_a, region_code="32.12", year=2025)


def test_report_html_has_no_external_resources(personas):
    from gugus.publish.report import report_data, report_html
    from gugus.reference.models import Region

    html = report_html(report_data(personas.province, Region.objects.get(code="32"), 2025))
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    assert "<svg" in html
