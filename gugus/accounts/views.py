"""Login, second factor, profile and personal API tokens."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from gugus.audit.services import record

from .middleware import user_needs_mfa
from .services import token_create, token_revoke, tokens_of


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class OTPForm(forms.Form):
    token = forms.CharField(
        label="Kode 6 digit dari aplikasi autentikator",
        max_length=8,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _safe_next(request) -> str:
    nxt = request.GET.get("next") or request.POST.get("next") or "/"
    return nxt if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}) else "/"


@login_required
def otp_view(request):
    """Verify the TOTP code; a user without a confirmed device enrols one first."""
    user = request.user
    if user.is_verified():
        return redirect(_safe_next(request))
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name="autentikator", confirmed=False
        )
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            with transaction.atomic():
                if enrolling:
                    device.confirmed = True
                    device.save(update_fields=["confirmed"])
                    record("mfa_enrol", actor=user, object_type="user", object_id=user.pk)
                otp_login(request, device)
                record("mfa_verify", actor=user, object_type="user", object_id=user.pk)
            return redirect(_safe_next(request))
        record("mfa_failed", actor=user, object_type="user", object_id=user.pk)
        form.add_error("token", "Kode tidak cocok atau sudah kedaluwarsa. Coba kode yang baru.")
    ctx = {"form": form, "enrolling": enrolling, "next": _safe_next(request)}
    if enrolling:
        ctx["secret"] = base64.b32encode(device.bin_key).decode()
        img = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
        buf = io.BytesIO()
        img.save(buf)
        ctx["qr_svg"] = buf.getvalue().decode()
    return render(request, "accounts/otp.html", ctx)


def _profile_context(request, **extra) -> dict:
    return {
        "tokens": tokens_of(request.user),
        "memberships": request.user.memberships.filter(active=True).select_related("organisation", "region"),
        "needs_mfa": user_needs_mfa(request.user),
        **extra,
    }


@login_required
def profile(request):
    return render(request, "accounts/profile.html", _profile_context(request))


@login_required
@require_POST
def token_new(request):
    _, clear = token_create(actor=request.user, user=request.user, name=request.POST.get("name", "token"))
    if request.htmx:
        return render(request, "accounts/_tokens.html", {"tokens": tokens_of(request.user), "new_token": clear})
    # Without JavaScript: the whole page, showing the new token once (never put it in a URL).
    return render(request, "accounts/profile.html", _profile_context(request, new_token=clear))


@login_required
@require_POST
def token_delete(request, token_id):
    token = tokens_of(request.user).filter(pk=token_id).first()
    if token is None:
        record("access_denied_or_missing", actor=request.user, object_type="api_token", object_id=str(token_id))
        raise Http404
    token_revoke(actor=request.user, token=token)
    if request.htmx:
        return render(request, "accounts/_tokens.html", {"tokens": tokens_of(request.user)})
    messages.success(request, "Token dicabut.")
    return redirect("accounts:profile")
