"""API authentication: personal bearer tokens, or the browser session (second factor passed)."""

from __future__ import annotations

from ninja.security import HttpBearer, SessionAuth


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        from gugus.accounts.services import token_authenticate

        user = token_authenticate(token)
        if user is None:
            return None
        request.user = user
        return user


class VerifiedSession(SessionAuth):
    """The UI's own session, for htmx and same-origin scripts (CSRF-checked by ninja)."""

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        from gugus.accounts.middleware import user_needs_mfa

        if user_needs_mfa(user) and not user.is_verified():
            return None
        return user
