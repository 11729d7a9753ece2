"""Shared test fixtures: the personas, logged-in clients (second factor passed), API clients."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def demo_accounts(db):
    """Every demo organisation and user (see gugus/accounts/demo.py)."""
    from gugus.accounts import demo
    from gugus.core.demo import DemoContext

    ctx = DemoContext(seed=1, victims=0)
    demo.populate(ctx)
    return ctx


class Personas:
    """The standard personas. Attributes are users; `.orgs` are organisations by demo key."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.orgs = ctx.orgs
        u = ctx.users
        self.cw_a = u["cw-3212"]  # case worker, Kab. Indramayu
        self.cw_b = u["cw-3201"]  # case worker, Kab. Bogor
        self.sv_a = u["sv-3212"]  # supervisor, Kab. Indramayu
        self.cw_batam = u["cw-2171"]
        self.cw_kupang = u["cw-5371"]
        self.provider = u["rs-2171"]  # service provider (hospital, Batam)
        self.safehouse = u["ra-2171"]  # service provider (safe house, Batam)
        self.police = u["polisi-2171"]
        self.gt_kab = u["gt-3212"]
        self.province = u["gt-32"]  # province secretariat, Jawa Barat
        self.province_ntt = u["gt-53"]
        self.steward = u["wd-32"]
        self.national = u["gt-nasional"]
        self.executive = u["eksekutif"]
        self.admin = u["admin"]
        self.anonymous = None

    def all(self) -> dict:
        return {
            "cw_a": self.cw_a,
            "cw_b": self.cw_b,
            "sv_a": self.sv_a,
            "provider": self.provider,
            "police": self.police,
            "gt_kab": self.gt_kab,
            "province": self.province,
            "steward": self.steward,
            "national": self.national,
            "executive": self.executive,
            "admin": self.admin,
            "anonymous": None,
        }


@pytest.fixture
def personas(demo_accounts):
    return Personas(demo_accounts)


def login(client: Client, user) -> Client:
    """Log `user` in with the second factor already passed (a confirmed TOTP device)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if user is None:
        return client
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def client_for(db):
    """client_for(user) -> a Client logged in as user (anonymous for None)."""

    def make(user):
        return login(Client(), user)

    return make


@pytest.fixture
def api_for(db):
    """api_for(user) -> a Client whose requests carry that user's bearer token."""
    from gugus.accounts.services import token_create

    def make(user):
        if user is None:
            return Client()
        _, clear = token_create(actor=user, user=user, name="test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {clear}")

    return make
