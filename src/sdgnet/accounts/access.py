"""Reads scoped to the user, and the one way pages check a named permission."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from sdgnet.accounts.models import PLACE_ROLES, ApiToken, AuditEvent
from sdgnet.accounts.rules import is_municipality_admin, is_network_admin, place_of

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


def manageable_users(user: Any) -> QuerySet[Any]:
    """The accounts `user` may see and manage on the people page: every account for a
    network admin; the editors and admins of their own municipality for a municipality
    admin (the rows `accounts.manage_user` allows); nothing for anyone else."""
    User = get_user_model()
    accounts = User.objects.select_related("profile", "profile__place").order_by("username")
    if is_network_admin(user):
        return accounts
    if is_municipality_admin(user) and (place := place_of(user)) is not None:
        # Superusers are network admins whatever their profile says.
        return accounts.filter(
            profile__place_id=place, profile__role__in=list(PLACE_ROLES), is_superuser=False
        )
    return accounts.none()
