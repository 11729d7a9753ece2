"""Structured logs with personal data masked before any handler writes them."""

import json
import logging

from lokal.samaran.logging import SamaranFilter


class MaskPIIFilter(SamaranFilter):
    """lokal-id's Samaran filter: masks NIK, phone numbers, names, addresses in the formatted
    message, tracebacks and stack info. Attached to handlers so that every logger passes it."""


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            # The masking filter has already set exc_text to the masked traceback; keep it.
            if not record.exc_text:
                record.exc_text = self.formatException(record.exc_info)
            data["exc"] = record.exc_text
        return json.dumps(data, ensure_ascii=False)
