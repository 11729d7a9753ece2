"""The declarative role map: its promises, and the docs table generated from it."""

from pathlib import Path

from gugus.accounts.roles import IDENTITY_GRANTABLE, ROLE_PERMISSIONS, ROLE_REACH, Role, role_needs_mfa, roles_markdown

CASE_PERMS = {
    "victim.view",
    "identity.view",
    "identity.view_referred",
    "service.view",
    "legal.view",
    "referral.view",
    "timeline.view",
}


def test_every_role_is_mapped():
    assert set(ROLE_PERMISSIONS) == set(Role) == set(ROLE_REACH)


def test_executive_and_admin_never_see_a_person():
    for role in (Role.EXECUTIVE, Role.ADMIN):
        assert not (ROLE_PERMISSIONS[role] & CASE_PERMS)
        assert role not in IDENTITY_GRANTABLE


def test_identity_capable_roles_need_the_second_factor():
    for role, perms in ROLE_PERMISSIONS.items():
        if perms & {"identity.view", "identity.view_referred"}:
            assert role_needs_mfa(role)
    for role in IDENTITY_GRANTABLE:
        assert role_needs_mfa(role, identity_access=True)


def test_service_provider_sees_only_referred_cases_and_no_legal_track():
    assert ROLE_REACH[Role.SERVICE_PROVIDER] == "referred"
    assert "legal.view" not in ROLE_PERMISSIONS[Role.SERVICE_PROVIDER]
    assert "identity.view" not in ROLE_PERMISSIONS[Role.SERVICE_PROVIDER]


def test_docs_table_is_generated_from_the_map():
    doc = (Path(__file__).resolve().parents[3] / "docs" / "access.md").read_text()
    table = doc.split("<!-- roles:start -->\n", 1)[1].split("\n<!-- roles:end -->", 1)[0]
    assert table == roles_markdown(), "docs/access.md is stale: paste roles_markdown() between the markers"
