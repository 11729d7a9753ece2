"""What a figure was measured on: machine, database, commit."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in _read("/proc/cpuinfo").splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    mem_kib = next(
        (int(line.split()[1]) for line in _read("/proc/meminfo").splitlines() if line.startswith("MemTotal:")), 0
    )
    os_name = next(
        (
            line.split("=", 1)[1].strip().strip('"')
            for line in _read("/etc/os-release").splitlines()
            if line.startswith("PRETTY_NAME=")
        ),
        platform.system(),
    )
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 0
    return {
        "cpu": cpu,
        "cores": cores,
        "ram_gib": round(mem_kib / 1024 / 1024, 1),
        "os": f"{os_name} (kernel {platform.release()})",
        "python": sys.version.split()[0],
        # Other work on the machine slows every figure; the load average says how busy it was.
        "loadavg_1_5_15": loadavg(),
    }


def loadavg() -> list[str]:
    return _read("/proc/loadavg").split()[:3]


def database() -> dict:
    from django.db import connection

    vendor = connection.vendor
    with connection.cursor() as cur:
        if vendor == "postgresql":
            cur.execute("SHOW server_version")
            version = cur.fetchone()[0]
        elif vendor == "sqlite":
            cur.execute("SELECT sqlite_version()")
            version = cur.fetchone()[0]
        else:
            version = "unknown"
    return {"engine": vendor, "version": version, "name": os.path.basename(str(connection.settings_dict["NAME"]))}


def commit() -> dict:
    def git(*args) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    sha = git("rev-parse", "HEAD")
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    return {"commit": sha or "unknown", "dirty": dirty}


def rss_mib(pid: int | str = "self") -> float:
    """Resident set size of a process, from /proc (no psutil)."""
    for line in _read(f"/proc/{pid}/status").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mib(pid: int | str = "self") -> float:
    for line in _read(f"/proc/{pid}/status").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0
