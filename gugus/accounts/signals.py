"""Logins, logouts and failed logins go to the audit trail. The attempted username is kept
(an attacker's guess is not a victim's identity) but never the password."""

import time

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from gugus.audit.services import record


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    record("login", actor=user, object_type="user", object_id=user.pk)
    if request is not None and hasattr(request, "session"):
        # Start the idle clock now, so a session left over from before never counts as idle.
        request.session["last_seen"] = int(time.time())


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        record("logout", actor=user, object_type="user", object_id=user.pk)


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    record("login_failed", actor=None, actor_label="anonim", object_type="user", detail={"username": username})
