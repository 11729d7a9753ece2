"""The demo-data framework. `gugus demo` builds a DemoContext and calls, in layer order, the
`populate(ctx)` function of each app's `demo.py` that exists. All data is synthetic (Faker
id_ID), deterministic for a seed, and marked `is_demo`."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import random
from dataclasses import dataclass, field

from faker import Faker

DEMO_APPS = ["accounts", "cases", "care", "referrals", "registry", "monitoring", "exchange", "publish"]
DEMO_TODAY = dt.date(2026, 11, 15)


@dataclass
class DemoContext:
    seed: int
    victims: int
    today: dt.date = DEMO_TODAY
    password: str = field(default_factory=lambda: os.environ.get("GUGUS_DEMO_PASSWORD", "demo"))
    rng: random.Random = field(init=False)
    faker: Faker = field(init=False)
    # Filled by the apps as they go: organisations and users by key, created case ids.
    orgs: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    case_ids: list = field(default_factory=list)
    log: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.faker = Faker("id_ID")
        self.faker.seed_instance(self.seed)

    def say(self, msg: str) -> None:
        self.log.append(msg)


def run_demo(*, seed: int, victims: int, stdout=None) -> DemoContext:
    ctx = DemoContext(seed=seed, victims=victims)
    for app in DEMO_APPS:
        try:
            module = importlib.import_module(f"gugus.{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name == f"gugus.{app}.demo":
                continue
            raise
        module.populate(ctx)
        if stdout:
            stdout.write(f"  demo {app}: {ctx.log[-1] if ctx.log else 'ok'}")
    return ctx
