"""Logs (issue 2, point 8): structured JSON, personal data masked before any handler writes."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.conf import settings

from gugus.logging import JsonFormatter, MaskPIIFilter

NIK = "3212014508950001"


@pytest.fixture
def log():
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.addFilter(MaskPIIFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("gugus.test.logs")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    yield logger, buf
    logger.removeHandler(handler)


def lines(buf) -> list[dict]:
    return [json.loads(line) for line in buf.getvalue().splitlines()]


def test_every_handler_masks_personal_data():
    for name, handler in settings.LOGGING["handlers"].items():
        assert "mask_pii" in handler.get("filters", []), name
    assert settings.LOGGING["filters"]["mask_pii"]["()"] == "gugus.logging.MaskPIIFilter"


def test_records_are_one_json_object_per_line(log):
    logger, buf = log
    logger.info("satu")
    logger.warning("dua %s", 2)
    rows = lines(buf)
    assert [r["message"] for r in rows] == ["satu", "dua 2"]
    assert rows[1]["level"] == "WARNING" and rows[1]["logger"] == "gugus.test.logs" and rows[1]["time"]


@pytest.mark.parametrize(
    "msg, args, secrets",
    [
        ("nik %s telepon %s", (NIK, "+62 812-3456-7890"), [NIK, "3456-7890"]),
        ("data %s", ({"nik": NIK, "nama": "Siti Aminah"},), [NIK, "Siti Aminah"]),
        ("GET /kasus/cari?nik=%s&hp=%s", (NIK, "081234567890"), [NIK, "081234567890"]),
        ("nama korban: Siti Nurhaliza, alamat Jl. Mawar No. 5", (), ["Siti Nurhaliza", "Mawar"]),
    ],
)
def test_nik_phone_names_are_masked(log, msg, args, secrets):
    logger, buf = log
    logger.warning(msg, *args)
    out = buf.getvalue()
    for s in secrets:
        assert s not in out


def test_tracebacks_are_masked_too(log):
    logger, buf = log
    try:
        raise ValueError(f"NIK {NIK} tidak sah")
    except ValueError:
        logger.exception("gagal")
    row = lines(buf)[0]
    assert "ValueError" in row["exc"] and NIK not in buf.getvalue()
