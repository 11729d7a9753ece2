"""Where a request comes from, for audit events, without passing the request everywhere."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestMeta:
    ip: str | None
    user_agent: str
    path: str


current: contextvars.ContextVar[RequestMeta | None] = contextvars.ContextVar("gugus_request_meta", default=None)


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ip = request.META.get("REMOTE_ADDR")
        token = current.set(
            RequestMeta(ip=ip, user_agent=request.META.get("HTTP_USER_AGENT", "")[:200], path=request.path)
        )
        try:
            return self.get_response(request)
        finally:
            current.reset(token)
