"""Security headers, idle timeout and the second-factor gate."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from .roles import role_needs_mfa
from .scope import scope_for

OPEN_PREFIXES = (
    "/static/",
    "/healthz",
    "/api/",
    "/akun/otp",
    "/akun/keluar",
    "/akun/masuk",
    "/i18n/",
    "/data-terbuka",
    "/bantuan",
    "/favicon",
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Pages with case data must not sit in shared caches or the browser's back-forward cache.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class IdleTimeoutMiddleware:
    """Logs a user out after `SESSION_IDLE_TIMEOUT` seconds without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get("last_seen")
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT:
                from gugus.audit.services import record

                record("session_expired", actor=request.user, object_type="user", object_id=request.user.pk)
                logout(request)
                if request.headers.get("HX-Request"):
                    from django.http import HttpResponse

                    resp = HttpResponse(status=401)
                    resp["HX-Redirect"] = reverse(settings.LOGIN_URL)
                    return resp
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}&expired=1")
            request.session["last_seen"] = now
        return self.get_response(request)


def user_needs_mfa(user) -> bool:
    scope = scope_for(user)
    return user.is_superuser or any(role_needs_mfa(g.role, g.identity_access) for g in scope.grants)


class SecondFactorMiddleware:
    """A user whose role can see identities must pass TOTP before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and not user.is_verified()
            and user_needs_mfa(user)
        ):
            if request.headers.get("HX-Request"):
                # An htmx fragment (e.g. the notification badge polled from the nav, also on the
                # OTP page itself) gets nothing until the second factor is passed: never the OTP
                # page swapped into a fragment, and no redirect loop.
                from django.http import HttpResponse

                return HttpResponse(status=204)
            return redirect(f"{reverse('accounts:otp')}?next={request.path}")
        return self.get_response(request)
