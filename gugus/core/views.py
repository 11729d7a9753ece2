from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render


def healthz(request):
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def home(request):
    if not request.user.is_authenticated:
        return render(request, "home_public.html")
    return render(request, "home.html")


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def root_redirect(request):
    return redirect("home")
