"""The case file in real Chromium: a care form is fetched on demand (htmx) and saved in place."""

import datetime as dt

import pytest

from gugus.core.tests.browser import ARGS, Journey, chromium_or_skip, live_server_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_url(transactional_db):
    yield from live_server_url()


def test_service_recorded_from_the_case_file(live_url, personas, make_case, orgs):
    exe = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    from gugus.care.models import ServiceRecord

    case = make_case(personas.cw_a)
    today = dt.date.today().isoformat()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, headless=True, args=ARGS)
        try:
            cw = Journey(browser, live_url, "berkas-layanan")
            cw.login(personas.cw_a.username, personas.ctx.password)
            cw.goto(f"/kasus/{case.pk}/", what="case file")
            panel = cw.page.locator("#care-services")
            assert panel.locator("[name='provider_org']").count() == 0  # no form until asked for
            panel.get_by_role("link", name="Catat layanan").click()
            panel.locator("[name='provider_org']").wait_for()
            form = "#care-services form"
            cw.fill_form({"requested_on": today, "status": "requested"}, form=form)
            cw.page.locator(f"{form} [name='service_type']").select_option("health_physical")
            cw.page.locator(f"{form} [name='provider_org']").select_option(str(orgs["puskesmas-3212"].pk))
            cw.submit(form=form)
            cw.page.locator("#care-services table").wait_for()
            assert not cw.errors_on_page(), cw.errors_on_page()
            assert cw.page.locator("#care-services").get_by_role("link", name="Catat layanan").count() == 1
        finally:
            browser.close()
    # (The ORM is not used inside sync_playwright: it runs an event loop in this thread.)
    assert ServiceRecord.objects.filter(case=case).count() == 1
