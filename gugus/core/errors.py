"""Errors every layer shares. Services raise these (or Django's ValidationError); faces map them
to 400/404/409 in the API and to messages in Bahasa Indonesia in the UI."""

from __future__ import annotations


class Conflict(Exception):
    """A stale edit: the record changed since the editor loaded it (optimistic locking)."""

    def __init__(
        self,
        message: str = "Data telah diubah oleh pengguna lain sejak Anda membukanya.",
        *,
        current_version: int | None = None,
        changed_fields: list[str] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.current_version = current_version
        self.changed_fields = changed_fields or []


class NotFoundOrHidden(Exception):
    """Out of scope or absent: the same answer either way, so existence never leaks."""
