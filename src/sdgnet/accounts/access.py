"""Reads scoped to the user, and the one way pages check a named permission."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from sdgnet.accounts.models import ApiToken, AuditEvent

View = Callable[..., HttpResponse]


def permission_page(perm: str) -> Callable[[View], View]:
    """Anonymous users are sent to log in; users without `perm` get 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def audit_events(user: Any) -> QuerySet[AuditEvent]:
    if not user.has_perm("accounts.view_audit_log"):
        return AuditEvent.objects.none()
    return AuditEvent.objects.select_related("place")


def api_tokens(user: Any) -> QuerySet[ApiToken]:
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)
