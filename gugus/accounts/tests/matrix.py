"""Permission matrix of gugus.accounts: who am I, personal tokens (API and profile page), the
second-factor page and the Django admin of accounts. Framework: gugus/core/tests/matrix.py.

World: two extra tokens of `cw_a` (one revoked through the API, one through the page). Only the
owner may revoke them; everyone else gets 404, the same as for a forged or malformed id."""

from __future__ import annotations

import uuid

from gugus.core.tests.matrix import MatrixCase, World

PERSONAS = [
    "cw_a",
    "cw_b",
    "sv_a",
    "provider",
    "police",
    "gt_kab",
    "province",
    "steward",
    "national",
    "executive",
    "admin",
    "anonymous",
]
K = "accounts."


def build(world: World) -> None:
    from gugus.accounts.services import token_create

    cw_a = world.personas.cw_a
    world.objects[K + "token_api"], _ = token_create(actor=cw_a, user=cw_a, name="matriks-api")
    world.objects[K + "token_page"], _ = token_create(actor=cw_a, user=cw_a, name="matriks-halaman")


def each(method: str, url: str, body, expected: dict, default) -> list[MatrixCase]:
    return [MatrixCase(method, url, body, who, expected.get(who, default)) for who in PERSONAS]


def matrix_cases(world: World) -> list[MatrixCase]:
    ob = world.objects
    tok_api, tok_page = ob[K + "token_api"].pk, ob[K + "token_page"].pk
    forged = uuid.uuid4()
    admin_org = world.personas.orgs["uptd-3212"].pk
    cases: list[MatrixCase] = []

    # API: every signed-in role; anonymous 401
    for url in ("/api/v1/me", "/api/v1/tokens"):
        cases += each("GET", url, None, {"anonymous": 401}, 200)
    cases += each("DELETE", f"/api/v1/tokens/{tok_api}", None, {"cw_a": 200, "anonymous": 401}, 404)
    cases += each("DELETE", f"/api/v1/tokens/{forged}", None, {"anonymous": 401}, 404)
    cases += each("DELETE", "/api/v1/tokens/not-a-uuid", None, {"anonymous": 401}, 404)

    # Pages
    cases += each("GET", "/akun/profil/", None, {"anonymous": 302}, 200)
    cases += each("GET", "/akun/otp/", None, {}, 302)  # verified: straight on; anonymous: to login
    cases += each("POST", "/akun/token/", {"name": "matriks"}, {"anonymous": 302}, 200)
    cases += each("POST", f"/akun/token/{tok_page}/cabut/", {}, {"cw_a": 302, "anonymous": 302}, 404)
    cases += each("POST", f"/akun/token/{forged}/cabut/", {}, {"anonymous": 302}, 404)
    cases += each("GET", f"/akun/token/{tok_page}/cabut/", None, {"anonymous": 302}, 405)
    cases += each("POST", "/akun/token/bukan-uuid/cabut/", {}, {}, 404)
    cases += each("GET", "/akun/masuk/", None, {"anonymous": 200}, 302)  # signed in: sent on

    # Django admin of accounts: administrators only (others are sent to the admin login)
    for url in (
        "/admin/accounts/organisation/",
        "/admin/accounts/user/",
        "/admin/accounts/membership/",
        "/admin/accounts/apitoken/",
        f"/admin/accounts/organisation/{admin_org}/change/",
        "/admin/accounts/organisation/add/",
    ):
        cases += each("GET", url, None, {"admin": 200}, 302)
    return cases
