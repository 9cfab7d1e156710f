"""Liveness and readiness. `/readyz` names every failing part and answers 503 when one is down."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def check_database() -> tuple[str, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return "down", f"{type(exc).__name__}: {exc}"
    return "ok", connection.vendor


def check_broker() -> tuple[str, str]:
    if not settings.CELERY_BROKER_URL:
        return "ok", "not configured: tasks run in-process"
    from marketplace.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return "down", f"{type(exc).__name__}: {exc}"
    return "ok", "reachable"


def check_search() -> tuple[str, str]:
    from search.health import search_health

    return search_health()


CHECKS = {"database": check_database, "broker": check_broker, "search": check_search}


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    results = {
        name: dict(zip(("status", "detail"), check(), strict=True))
        for name, check in CHECKS.items()
    }
    down = [name for name, r in results.items() if r["status"] == "down"]
    degraded = [name for name, r in results.items() if r["status"] == "degraded"]
    overall = "down" if down else ("degraded" if degraded else "ok")
    body = {"status": overall, "checks": results}
    if down:
        body["failing"] = down
    return JsonResponse(body, status=503 if down else 200)
