"""The benchmark's view of the running application: personas, logged-in clients, the API's
OpenAPI document and the pages each app offers. Everything is discovered at run time, so the
harness measures what exists and names what does not."""

from __future__ import annotations

import re
from functools import cached_property
from html.parser import HTMLParser

from django.test import Client

PERSONAS = {
    "case_worker": "cw-3212",  # case worker, Kab. Indramayu (organisation scope)
    "supervisor": "sv-3212",
    "kab": "gt-3212",  # kab/kota secretariat (region scope)
    "province": "gt-32",  # province secretariat Jawa Barat
    "national": "gt-nasional",
    "executive": "eksekutif",
    "case_worker_b": "cw-5371",  # Kota Kupang, for referrals to another region
}


def session_client(user) -> Client:
    """A Client logged in as `user` with the second factor passed (as a real login leaves it)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def api_client(user) -> Client:
    from gugus.accounts.services import token_create

    _, clear = token_create(actor=user, user=user, name="bench")
    return Client(HTTP_AUTHORIZATION=f"Bearer {clear}")


class _FormParser(HTMLParser):
    """The names of the inputs of a page's search form (a GET form, or a POST form marked
    role="search" — names and NIKs are posted so they never appear in a URL)."""

    def __init__(self):
        super().__init__()
        self.in_get_form = False
        self.method = "get"
        self.names: list[str] = []
        self.options: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            method = (a.get("method") or "get").lower()
            self.in_get_form = method == "get" or a.get("role") == "search"
            if self.in_get_form and not self.names:
                self.method = method
        elif self.in_get_form and tag in ("input", "select", "textarea") and a.get("name"):
            if (a.get("type") not in ("submit", "button", "hidden") or tag != "input") and a[
                "name"
            ] != "csrfmiddlewaretoken":
                self.names.append(a["name"])
            if tag == "select":
                self._select = a["name"]
                self.options[a["name"]] = []
        elif tag == "option" and self._select and a.get("value"):
            self.options[self._select].append(a["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_get_form = False
        elif tag == "select":
            self._select = None


def get_form_fields(html: str) -> tuple[list[str], dict[str, list[str]]]:
    p = _FormParser()
    p.feed(html)
    return p.names, p.options


def search_form_method(html: str) -> str:
    p = _FormParser()
    p.feed(html)
    return p.method


class World:
    def __init__(self):
        from gugus.accounts.models import User

        self.users = {k: User.objects.filter(username=v).first() for k, v in PERSONAS.items()}
        self._sessions: dict[str, Client] = {}
        self._apis: dict[str, Client] = {}

    def session(self, persona: str) -> Client:
        if persona not in self._sessions:
            self._sessions[persona] = session_client(self.users[persona])
        return self._sessions[persona]

    def api(self, persona: str) -> Client:
        if persona not in self._apis:
            self._apis[persona] = api_client(self.users[persona])
        return self._apis[persona]

    # -- the API -----------------------------------------------------------------------------------
    @cached_property
    def openapi(self) -> dict:
        r = Client().get("/api/v1/openapi.json")
        if r.status_code != 200:
            r = self.api("national").get("/api/v1/openapi.json")
        return r.json() if r.status_code == 200 else {"paths": {}}

    def operation(self, method: str, *paths: str) -> tuple[str, dict] | None:
        """The first of `paths` offering `method`, with its operation object."""
        all_paths = self.openapi.get("paths", {})
        for p in paths:
            op = all_paths.get(p, {}).get(method.lower())
            if op is not None:
                return p, op
        return None

    def find_operations(self, method: str, pattern: str) -> list[tuple[str, dict]]:
        rx = re.compile(pattern)
        return [
            (p, ops[method.lower()])
            for p, ops in self.openapi.get("paths", {}).items()
            if method.lower() in ops and rx.search(p)
        ]

    @staticmethod
    def query_params(op: dict) -> dict[str, dict]:
        return {p["name"]: p.get("schema", {}) for p in op.get("parameters", []) if p.get("in") == "query"}

    def schema_ref(self, schema: dict) -> dict:
        while "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            schema = self.openapi.get("components", {}).get("schemas", {}).get(name, {})
        return schema

    def request_schema(self, op: dict) -> dict:
        content = op.get("requestBody", {}).get("content", {})
        body = content.get("application/json") or next(iter(content.values()), {})
        return self.schema_ref(body.get("schema", {}))

    # -- pages -------------------------------------------------------------------------------------
    def url_patterns(self, namespace: str) -> list[tuple[str, list[str]]]:
        """(route, [argument names]) of the URL patterns mounted under `namespace`."""
        from django.urls import get_resolver
        from django.urls.resolvers import URLResolver

        out = []

        def walk(resolver, prefix, ns):
            for p in resolver.url_patterns:
                if isinstance(p, URLResolver):
                    walk(p, prefix + str(p.pattern), p.namespace or ns)
                elif ns == namespace:
                    route = prefix + str(p.pattern)
                    out.append(
                        (route, list(p.pattern.converters.keys()) if hasattr(p.pattern, "converters") else [], p.name)
                    )

        walk(get_resolver(), "/", None)
        return out
