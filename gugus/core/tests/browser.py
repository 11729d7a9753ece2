"""Helpers for the browser journeys: Debian's Chromium driven by Playwright, against the live
server of pytest-django, on a phone-size screen.

`chromium_or_skip()` skips with a clear message when Chromium or Playwright is missing; a page a
journey needs that does not exist yet makes the step skip naming that page (`Step.need`).
"""

from __future__ import annotations

import base64
import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("GUGUS_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 375, "height": 740}
SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"


def chromium_or_skip() -> str:
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not path:
        pytest.skip(
            f"Chromium is not installed ({CHROMIUM} missing): browser journeys not run. "
            "Install it with `apt-get install -y chromium` (CI's .ci/run does)."
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("the playwright Python package is not installed: browser journeys not run")
    return path


class _OneAtATimeServer:
    """A live server handling one request at a time (Django's LiveServerThread with a plain
    WSGIServer). A browser fires requests in parallel (htmx fragments, polling); the in-memory
    SQLite test database shared with the server thread cannot take concurrent writers."""

    def __init__(self):
        from django.contrib.staticfiles.handlers import StaticFilesHandler
        from django.core.servers.basehttp import WSGIServer
        from django.db import connections
        from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler

        class Thread(LiveServerThread):
            def _create_server(self, connections_override=None):
                return WSGIServer((self.host, self.port), QuietWSGIRequestHandler, allow_reuse_address=False)

        override = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
        self.shared = list(override.values())
        for conn in self.shared:
            conn.inc_thread_sharing()
        self.thread = Thread("localhost", StaticFilesHandler, connections_override=override, port=0)
        self.thread.daemon = True
        self.thread.start()
        self.thread.is_ready.wait()
        if self.thread.error:
            self.stop()
            raise self.thread.error
        self.url = f"http://localhost:{self.thread.port}"

    def stop(self) -> None:
        self.thread.terminate()
        for conn in self.shared:
            conn.dec_thread_sharing()


def live_server_url():
    """Start a one-request-at-a-time live server; yields its base URL (for a test's fixture)."""
    server = _OneAtATimeServer()
    try:
        yield server.url
    finally:
        server.stop()


def totp_now(secret_b32: str) -> str:
    from django_otp.oath import totp

    key = base64.b32decode(secret_b32.strip().replace(" ", "").upper())
    return f"{totp(key):06d}"


class Journey:
    """One user's browser tab, with steps that fail or skip with the page's name."""

    def __init__(self, browser, base_url: str, name: str):
        self.context = browser.new_context(
            viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True, locale="id-ID", accept_downloads=True
        )
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.base = base_url.rstrip("/")
        self.name = name
        self.console_errors: list[str] = []
        self.page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)

    def goto(self, path: str, *, what: str):
        response = self.page.goto(self.base + path)
        status = response.status if response else 0
        if status in (404, 405):
            pytest.skip(f"{what}: the page {path} does not exist yet ({status})")
        assert status < 500, f"{what}: {path} answered {status}"
        return response

    def need(self, selector: str, *, what: str):
        loc = self.page.locator(f"body > main {selector}")
        if loc.count() == 0:
            pytest.skip(f"{what}: {self.page.url} has no {selector} yet")
        return loc.first

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.name}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def _form(self, form: str | None, names) -> object:
        """The form to use: `form` (a selector), else the form holding the first of `names`
        (pages also have small forms, e.g. log-out and language, in the header and footer)."""
        if form:
            return self.page.locator(f"body > main {form}").first
        for name in names:
            loc = self.page.locator("body > main form").filter(has=self.page.locator(f"[name='{name}']"))
            if loc.count():
                return loc.first
        return self.page.locator("body > main form").first

    def fill_form(self, values: dict, *, form: str | None = None) -> list[str]:
        """Fill fields by name; a select takes an option value, or ("label", text) for an option
        whose label contains text. Returns the names the form does not have."""
        missing = []
        scope = self._last_form = self._form(form, list(values))
        for name, value in values.items():
            loc = scope.locator(f"[name='{name}']")
            if loc.count() == 0:
                missing.append(name)
                continue
            first = loc.first
            # A field inside a closed <details> (a folded form) is opened the way a user would.
            first.evaluate("e => { const d = e.closest('details'); if (d && !d.open) d.open = true; }")
            tag = first.evaluate("e => e.tagName.toLowerCase()")
            kind = (first.get_attribute("type") or "").lower()
            if tag == "select":
                if isinstance(value, tuple) and value[0] == "label":
                    self.page.wait_for_load_state("networkidle")
                    options = first.locator("option").all_inner_texts()
                    match = next((o for o in options if value[1].lower() in o.lower()), None)
                    if match is None:
                        pytest.skip(f"no option containing {value[1]!r} for {name} on {self.page.url}")
                    first.select_option(label=match)
                else:
                    first.select_option(value if isinstance(value, list) else str(value))
                self.page.wait_for_load_state("networkidle")  # a select may reload other fields (htmx)
            elif kind in ("checkbox", "radio"):
                for v in value if isinstance(value, list) else [value]:
                    box = scope.locator(f"[name='{name}'][value='{v}']")
                    (box.first if box.count() else first).check()
            else:
                first.fill(str(value))
        return missing

    def submit(self, *, form: str | None = None, button: str | None = None):
        """Submit like a user: a full page POST or an htmx one (the fragment is swapped in)."""
        scope = self._form(form, []) if form else getattr(self, "_last_form", None) or self._form(None, [])
        scope.evaluate("e => { const d = e.closest('details'); if (d && !d.open) d.open = true; }")
        if button:
            target = scope.get_by_role("button", name=button)
        else:
            target = scope.locator("button[type=submit], input[type=submit], button:not([type])").last
        invalid = scope.evaluate(
            "f => f.checkValidity() ? [] : [...f.elements].filter(e => e.willValidate && !e.checkValidity())"
            ".map(e => e.name + ': ' + e.validationMessage)"
        )
        assert not invalid, f"the browser refuses to submit the form on {self.page.url}: {invalid}"
        before = self.page.url
        is_post = lambda r: r.request.method == "POST" and r.url.startswith(self.base)  # noqa: E731
        if not scope.evaluate("f => f.hasAttribute('hx-post') || !!f.closest('[hx-boost=true]')"):
            with self.page.expect_navigation(wait_until="load") as nav:
                target.click()
            return nav.value
        with self.page.expect_response(is_post) as resp:
            target.click()
        response = resp.value
        redirect = response.headers.get("hx-redirect") or response.headers.get("hx-location")
        if redirect:
            redirect = redirect if redirect.startswith("http") else self.base + redirect
            if redirect.split("#")[0] != before.split("#")[0]:
                self.page.wait_for_url(lambda url: url != before)
        self.page.wait_for_load_state("networkidle")
        return response

    def errors_on_page(self) -> str:
        texts = self.page.locator(".errorlist, .error, .errors, [role=alert]").all_inner_texts()
        return " | ".join(t.strip() for t in texts if t.strip())[:500]

    def login(self, username: str, password: str) -> None:
        self.goto("/akun/masuk/", what="login")
        self.fill_form({"username": username, "password": password})
        self.submit()
        assert "/akun/masuk" not in self.page.url, f"login refused: {self.errors_on_page()}"
        if "/akun/otp" in self.page.url:
            secret = self.page.locator("body > main [data-testid=otp-secret]")
            assert secret.count(), "the second-factor enrolment page shows no secret ([data-testid=otp-secret])"
            self.fill_form({"token": totp_now(secret.inner_text())})
            self.submit()
            assert "/akun/otp" not in self.page.url, f"second factor refused: {self.errors_on_page()}"

    def uuid_in_url(self, prefix: str) -> str | None:
        m = re.search(prefix + r"([0-9a-f-]{36})/", self.page.url)
        return m.group(1) if m else None

    def close(self) -> None:
        self.context.close()
