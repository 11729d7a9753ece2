"""The API under /api/v1/ (OpenAPI at /api/v1/openapi.json). Each app contributes a router."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from gugus.core.api_auth import BearerToken, VerifiedSession
from gugus.core.errors import Conflict

api = NinjaAPI(
    title="Gugus PP-TPPO API",
    version="1.0.0",
    urls_namespace="api",
    auth=[BearerToken(), VerifiedSession()],
    description=(
        "API Sistem Informasi Gugus Tugas PP-TPPO. Autentikasi: `Authorization: Bearer <token>` "
        "(token pribadi dari halaman profil atau `gugus token USERNAME`). Cakupan data sama dengan UI; "
        "data di luar cakupan menjawab 404."
    ),
)


def _validation_payload(exc: ValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {
            "detail": "Data tidak valid.",
            "errors": {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()},
        }
    return {"detail": "Data tidak valid.", "errors": {"__all__": list(exc.messages)}}


@api.exception_handler(ValidationError)
def _on_validation(request, exc):
    return api.create_response(request, _validation_payload(exc), status=422)


@api.exception_handler(RequestDataTooBig)
def _on_too_big(request, exc):
    return api.create_response(request, {"detail": "Badan permintaan terlalu besar."}, status=413)


@api.exception_handler(PermissionDenied)
def _on_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Tidak diizinkan."}, status=403)


@api.exception_handler(Conflict)
def _on_conflict(request, exc):
    return api.create_response(
        request,
        {"detail": exc.message, "current_version": exc.current_version, "changed_fields": exc.changed_fields},
        status=409,
    )


@api.exception_handler(Http404)
def _on_404(request, exc):
    return api.create_response(request, {"detail": "Tidak ditemukan."}, status=404)


@api.exception_handler(AuthenticationError)
def _on_auth(request, exc):
    return api.create_response(request, {"detail": "Tidak terautentikasi."}, status=401)


@api.exception_handler(NinjaValidationError)
def _on_schema(request, exc):
    return api.create_response(request, {"detail": "Data tidak valid.", "errors": exc.errors}, status=422)


def _mount() -> None:
    from gugus.accounts.api import router as accounts_router
    from gugus.audit.api import router as audit_router
    from gugus.care.api import router as care_router
    from gugus.cases.api import router as cases_router
    from gugus.exchange.api import router as exchange_router
    from gugus.monitoring.api import router as monitoring_router
    from gugus.publish.api import router as publish_router
    from gugus.reference.api import router as reference_router
    from gugus.referrals.api import router as referrals_router
    from gugus.registry.api import router as registry_router

    api.add_router("/reference/", reference_router)
    api.add_router("/", accounts_router)
    api.add_router("/audit/", audit_router)
    api.add_router("/", cases_router)
    api.add_router("/", care_router)
    api.add_router("/", referrals_router)
    api.add_router("/registry/", registry_router)
    api.add_router("/", monitoring_router)
    api.add_router("/", exchange_router)
    api.add_router("/", publish_router)


_mount()
