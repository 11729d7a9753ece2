"""Crash safety: an import or an indicator rebuild killed with SIGKILL half-way leaves no partial
data that anyone sees, and running it again completes it (no duplicates).

The work runs in a child process (gugus/core/tests/crash_driver.py) against a database file —
on SQLite a file copy of the migrated test database, on PostgreSQL the test database itself —
and is killed with SIGKILL once it has done part of the work.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[3]


def _need(module: str, what: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{what}: {module} does not exist yet")


@pytest.fixture
def database_url(tmp_path) -> str:
    """A database a child process can open: the test database's content, committed, in a file."""
    if connection.vendor == "sqlite":
        path = tmp_path / "crash.sqlite3"
        connection.ensure_connection()
        dst = sqlite3.connect(path)
        connection.connection.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
        dst.close()
        return f"sqlite:///{path}"
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Driver:
    def __init__(self, url: str, tmp_path: Path):
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "GUGUS_VAR_DIR": str(tmp_path),
            "DJANGO_DEBUG": "0",
            "GUGUS_LOG_LEVEL": "ERROR",
        }
        self.env.pop("PYTEST_VERSION", None)  # the child is not a test run: real task backend settings etc.
        self.env.pop("PYTEST_XDIST_WORKER", None)

    def cmd(self, *args) -> list[str]:
        return [sys.executable, "-m", "gugus.core.tests.crash_driver", *map(str, args)]

    def run(self, *args, timeout: int = 240) -> dict:
        r = subprocess.run(self.cmd(*args), env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        assert r.returncode == 0, f"{args[0]} failed:\n{r.stdout[-2000:]}\n{r.stderr[-4000:]}"
        return json.loads(r.stdout.strip().splitlines()[-1])

    def kill_after(self, marker: str, count: int, *args, timeout: float = 180) -> int:
        """Start the command, SIGKILL it once it printed `marker` `count` times; returns how many it printed."""
        proc = subprocess.Popen(
            self.cmd(*args), env=self.env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        seen = 0
        deadline = time.monotonic() + timeout
        try:
            for line in proc.stdout:
                if line.strip() == marker:
                    seen += 1
                    if seen >= count:
                        os.kill(proc.pid, signal.SIGKILL)
                        break
                if time.monotonic() > deadline:
                    break
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=30)
            err = proc.stderr.read()
        assert seen >= count, f"the child finished or failed before it could be killed half-way:\n{err[-3000:]}"
        assert proc.returncode == -signal.SIGKILL
        return seen


ROWS = 60


def test_import_killed_half_way_leaves_nothing_and_completes_when_run_again(database_url, tmp_path):
    _need("gugus.exchange.services", "spreadsheet import")
    drv = Driver(database_url, tmp_path)

    # All or nothing: a kill mid-way leaves no victim, no import record.
    setup = drv.run("import-setup", ROWS, "AON", "all_or_nothing")
    assert setup["valid"] == ROWS, setup
    before = setup["state"]
    drv.kill_after("row", ROWS // 2, "import-commit", setup["batch"], setup["actor"], "all_or_nothing")
    done = drv.run("import-commit", setup["batch"], setup["actor"], "all_or_nothing")
    after_kill = done["state_before"]
    assert after_kill["victims"] == before["victims"], "a killed all-or-nothing import left victims behind"
    assert after_kill["cases"] == before["cases"]
    assert after_kill["import_records"] == before["import_records"]
    assert done["status"] == "committed" and done["committed"] == ROWS, done
    after = done["state"]
    assert after["victims"] == before["victims"] + ROWS
    assert after["import_records"] == after["distinct_external_ids"] == before["import_records"] + ROWS

    # Valid rows only (committed in chunks): the re-run completes it without duplicating a row.
    setup = drv.run("import-setup", ROWS, "VAL", "valid_only")
    before = setup["state"]
    drv.kill_after("row", ROWS // 2, "import-commit", setup["batch"], setup["actor"], "valid_only")
    done = drv.run("import-commit", setup["batch"], setup["actor"], "valid_only")
    mid = done["state_before"]
    assert mid["victims"] - before["victims"] == mid["import_records"] - before["import_records"], (
        "a victim was committed without its import record (or the reverse)"
    )
    assert done["status"] == "committed", done
    after = done["state"]
    assert after["victims"] == before["victims"] + ROWS, "re-running duplicated or lost rows"
    assert after["import_records"] == after["distinct_external_ids"]


def test_rebuild_killed_half_way_leaves_the_dashboards_as_they_were_and_completes_when_run_again(
    database_url, tmp_path
):
    _need("gugus.monitoring.engine", "indicator rebuild")
    drv = Driver(database_url, tmp_path)
    first = drv.run("monitoring-setup", 20)
    before = first["state"]
    active = [g for g in before["generations"] if g[1] == "active"]
    assert len(active) == 1 and active[0][0] == first["generation"]
    active_values = before["values_by_generation"].get(str(first["generation"]), 0)
    assert active_values > 0, "the first rebuild wrote nothing"

    drv.kill_after("source", 1, "rebuild", "--slow")
    done = drv.run("rebuild")
    mid = done["state_before"]
    still = [g for g in mid["generations"] if g[1] == "active"]
    assert still == active, "a killed rebuild changed which values the dashboards read"
    assert mid["values_by_generation"].get(str(first["generation"])) == active_values, "the active values changed"
    assert any(g[1] == "building" for g in mid["generations"]), "the kill did not land during the rebuild"

    after = done["state"]
    now = [g for g in after["generations"] if g[1] == "active"]
    assert len(now) == 1 and now[0][0] == done["generation"] != first["generation"]
    assert after["values_by_generation"].get(str(done["generation"])) == done["rows"]
    assert not [g for g in after["generations"] if g[1] == "building"], "the half-built generation was left behind"
    assert done["rows"] == active_values, "the completed rebuild does not give the same values as the first"
