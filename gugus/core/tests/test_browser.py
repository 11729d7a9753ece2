"""Browser journey in real Chromium (Debian's, driven by Playwright) on a phone-size screen:
log in with the second factor, register a victim, record a service, refer the victim to another
region, accept it there, see the dashboard change, download the open data.

Skipped with a clear message when Chromium is absent; a step whose page does not exist yet skips
naming the page. Screenshots of the key pages go to var/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re

import pytest

from .browser import ARGS, Journey, chromium_or_skip, live_server_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_url(transactional_db):
    yield from live_server_url()


def _kpi(j: Journey, path: str) -> int | None:
    j.goto(path, what="dashboard")
    kpi = j.page.locator("body > main .kpi")
    if kpi.count() == 0:
        return None
    digits = re.sub(r"\D", "", kpi.first.inner_text())
    return int(digits) if digits else 0


def _select_first(j: Journey, name: str, form: str = "form") -> None:
    sel = j.page.locator(f"body > main {form} [name='{name}']")
    if sel.count():
        values = [v for v in sel.first.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
        if values:
            sel.first.select_option(values[0])


def _static_served(settings) -> None:
    """The pages need gugus.css. If the staticfiles finders cannot see gugus/static (settings
    lack STATICFILES_DIRS), point them there for this test so the screenshots show the real UI."""
    from django.conf import settings as conf
    from django.contrib.staticfiles import finders

    if finders.find("gugus/gugus.css") is None:
        settings.STATICFILES_DIRS = [*conf.STATICFILES_DIRS, str(conf.BASE_DIR / "gugus" / "static")]


def test_case_worker_journey_across_two_regions(live_url, personas, settings):
    exe = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    _static_served(settings)
    # Open data publishes only years with at least k identified victims nationally (suppression):
    # with the journey's one victim the release would rightly hold no table. A past year with k
    # victims, registered through the cases service, gives the portal a real CSV to download.
    from django.conf import settings as conf

    from gugus.publish.tests.factories import make_cases

    make_cases(personas.cw_a, int(conf.OPEN_DATA_MIN_CELL), dt.date.today().year - 1, origin="32.12")
    if importlib.util.find_spec("gugus.monitoring.engine"):
        from django.core.management import call_command

        call_command("indicators", "rebuild")  # the dashboards read precomputed values
    password = personas.ctx.password
    today = dt.date.today()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, headless=True, args=ARGS)
        try:
            _journey(browser, live_url, password, today)
        finally:
            browser.close()


def _journey(browser, base: str, password: str, today: dt.date) -> None:
    # 1. Log in with the second factor (enrolment shows the TOTP secret).
    cw = Journey(browser, base, "petugas-indramayu")
    cw.login("cw-3212", password)
    cw.shot("01-beranda")

    dashboard = "/monitoring/wilayah/32.12/"
    before = _kpi(cw, dashboard)
    cw.shot("02-dasbor-sebelum")

    # 2. Register a victim.
    cw.goto("/kasus/daftar/", what="register a victim")
    cw.need("form [name='full_name']", what="register a victim")
    cw.fill_form(
        {
            "full_name": "Siti Aminah Perjalanan",
            "sex": "female",
            "estimated_age": "24",
            "identification_date": today.isoformat(),
            "identification_channel": "hotline",
            "domicile_region": "32.12",
            "exploitation_forms": ["forced_labour_or_services"],
        }
    )
    cw.shot("03-formulir-pendaftaran")
    cw.submit(button="Daftarkan")
    if "/kasus/daftar/" in cw.page.url and cw.page.locator("[name='dup_ack']").count():
        cw.page.locator("[name='dup_ack']").check()  # "a different person": the check showed candidates
        cw.submit(button="Daftarkan")
    case_id = cw.uuid_in_url("/kasus/")
    assert case_id, f"registration did not reach the case file: {cw.errors_on_page()}"
    cw.shot("04-berkas-kasus")

    # Consent to share the case for a referral (recorded on the case file).
    consent = cw.page.locator("body > main form[action*='persetujuan']")
    if consent.count():
        cw.fill_form(
            {
                "purpose": "share_referral",
                "granted": "1",
                "given_by": "victim",
                "method": "written",
                "date": today.isoformat(),
            },
            form="form[action*='persetujuan']",
        )
        cw.submit(form="form[action*='persetujuan']")

    # 3. Record a service (the form on the case's care page).
    cw.goto(f"/layanan/kasus/{case_id}/", what="record a service")
    form = "form[action$='/layanan/']"
    cw.need(f"{form} [name='service_type']", what="record a service")
    cw.fill_form(
        {
            "status": "completed",
            "requested_on": today.isoformat(),
            "started_on": today.isoformat(),
            "completed_on": today.isoformat(),
            "cost": "150000",
        },
        form=form,
    )
    _select_first(cw, "service_type", form)
    _select_first(cw, "provider_org", form)
    cw.shot("05-catat-layanan")
    cw.submit(form=form)
    assert not cw.errors_on_page(), f"recording the service failed: {cw.errors_on_page()}"

    # 4. Refer the victim to another region (UPTD PPA Kota Kupang).
    cw.goto(f"/rujukan/kasus/{case_id}/baru/", what="refer the victim")
    cw.need("form [name='to_org']", what="refer the victim")
    cw.fill_form(
        {
            "kind": "referral",
            "service_type": "social_reintegration",
            "reason": "Pendampingan reintegrasi di daerah tujuan.",
            "due_date": (today + dt.timedelta(days=7)).isoformat(),
            "to_org": ("label", "UPTD PPA Kota Kupang"),
        }
    )
    cw.shot("06-rujukan")
    cw.submit()
    referral_id = cw.uuid_in_url("/rujukan/")
    assert referral_id, f"the referral was not sent: {cw.errors_on_page()}"

    # 5. Accept it there: the Kupang case worker, in their own browser session.
    kupang = Journey(browser, base, "petugas-kupang")
    kupang.login("cw-5371", password)
    kupang.goto("/rujukan/", what="referral inbox")
    kupang.shot("07-kotak-masuk-rujukan")
    kupang.goto(f"/rujukan/{referral_id}/", what="referral detail")
    kupang.need("form[action$='/terima/']", what="accept the referral")
    kupang.submit(form="form[action$='/terima/']")
    assert not kupang.errors_on_page(), f"accepting failed: {kupang.errors_on_page()}"
    assert "Diterima" in kupang.page.content() or "diterima" in kupang.page.content()
    kupang.shot("08-rujukan-diterima")

    # 6. The dashboard of the case worker's region shows the new victim.
    after = _kpi(cw, dashboard)
    cw.shot("09-dasbor-sesudah")
    if before is None or after is None:
        pytest.skip(f"dashboard {dashboard} shows no KPI (.kpi) yet")
    assert after == before + 1, f"victims identified on {dashboard}: {before} before, {after} after registering one"

    # 7. The national secretariat publishes an open-data release; anyone downloads it without logging in.
    national = Journey(browser, base, "sekretariat-nasional")
    national.login("gt-nasional", password)
    national.goto("/data-terbuka/terbitkan/", what="publish open data")
    national.need("form[method=post]", what="publish open data")
    national.fill_form({"title": f"Rilis uji {today.year}"}, form="form[method=post]")
    national.submit(form="form[method=post]")
    assert not national.errors_on_page(), f"publishing failed: {national.errors_on_page()}"
    national.shot("10-rilis-terbit")
    public = Journey(browser, base, "publik")
    public.goto("/data-terbuka/", what="open data portal")
    public.shot("11-data-terbuka")
    link = public.page.locator("body > main a[href$='.csv']")
    if link.count():
        href = link.first.get_attribute("href")
    else:  # the release's Frictionless data package names its CSV resources
        package = public.page.locator("body > main a[href*='datapackage.json']")
        assert package.count(), "the open data portal links neither a CSV dataset nor its datapackage.json"
        href = package.first.get_attribute("href")
        meta = public.page.request.get(base + href if href.startswith("/") else href)
        assert meta.status == 200, f"{href} answered {meta.status}"
        resources = [r for r in meta.json().get("resources", []) if str(r.get("path", "")).endswith(".csv")]
        assert resources, f"the published release's {href} lists no CSV table"
        href = resources[0]["path"]
        if not href.startswith(("http", "/")):
            href = "/data-terbuka/" + href
    response = public.page.request.get(base + href if href.startswith("/") else href)
    assert response.status == 200, f"{href} answered {response.status}"
    body = response.text()
    assert body.count("\n") >= 1 and "," in body.splitlines()[0], f"{href} is not a CSV table"
    public.shot("12-data-terbuka-csv")  # the page the CSV was found on
    # Real figures, not an empty shell: the grand total (last cell) counts the seeded year.
    last = [c for c in body.strip().splitlines()[-1].split(",") if c.strip()]
    assert last and last[-1].strip().isdigit() and int(last[-1]) >= 1, f"{href} carries no figures: {body[:300]!r}"
    for j in (cw, kupang, national, public):
        assert not [e for e in j.console_errors if "Content Security Policy" in e], j.console_errors
        j.close()


def test_second_factor_page_is_shown_once(live_url, personas, settings):
    exe = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    _static_served(settings)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, headless=True, args=ARGS)
        try:
            j = Journey(browser, live_url, "otp")
            j.goto("/akun/masuk/", what="login")
            j.fill_form({"username": "cw-3212", "password": personas.ctx.password})
            j.submit()
            j.page.wait_for_load_state("networkidle")
            j.page.wait_for_timeout(500)
            j.shot("00-verifikasi-dua-langkah")
            assert j.page.locator("[name='token']").count() == 1, "the second-factor page contains copies of itself"
        finally:
            browser.close()
