"""Shared predicates for roles, and the account permissions.

Every app's `rules.py` builds its named permissions from these predicates; pages, the
API and the admin all ask `user.has_perm("app.permission", obj)`. A permission whose
object is a place takes a `Place` or a municipality number.
"""

from __future__ import annotations

from typing import Any

import rules

from sdgnet.accounts.models import Role


def role_of(user: Any) -> str | None:
    """The user's role, `network-admin` for superusers, None for anonymous users."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return Role.NETWORK_ADMIN
    profile = getattr(user, "profile", None)
    try:
        return profile.role if profile is not None else Role.CITIZEN
    except Exception:  # a user without a profile row is a citizen
        return Role.CITIZEN


def place_of(user: Any) -> str | None:
    """The municipality number a municipality admin or editor acts for."""
    if role_of(user) not in (Role.MUNICIPALITY_ADMIN, Role.EDITOR):
        return None
    try:
        return user.profile.place_id  # type: ignore[no-any-return]
    except Exception:
        return None


def _code(place: Any) -> str | None:
    if place is None:
        return None
    return place if isinstance(place, str) else getattr(place, "code", None)


@rules.predicate
def is_authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


@rules.predicate
def is_network_admin(user: Any) -> bool:
    return role_of(user) == Role.NETWORK_ADMIN


@rules.predicate
def is_municipality_admin(user: Any) -> bool:
    return role_of(user) == Role.MUNICIPALITY_ADMIN


@rules.predicate
def is_editor(user: Any) -> bool:
    return role_of(user) == Role.EDITOR


@rules.predicate
def is_partner(user: Any) -> bool:
    return role_of(user) == Role.PARTNER


@rules.predicate
def is_municipal_staff(user: Any) -> bool:
    return role_of(user) in (Role.MUNICIPALITY_ADMIN, Role.EDITOR)


@rules.predicate
def acts_for_place(user: Any, place: Any) -> bool:
    """The user is a municipality admin or editor of this place."""
    code = _code(place)
    return code is not None and place_of(user) == code


@rules.predicate
def administers_place(user: Any, place: Any) -> bool:
    code = _code(place)
    return code is not None and is_municipality_admin(user) and place_of(user) == code


rules.add_perm("accounts.view_audit_log", is_network_admin)
rules.add_perm("accounts.invite_user", is_network_admin | is_municipality_admin)
rules.add_perm("accounts.create_api_token", is_authenticated)
# The Django admin: only network administrators see it (they are made `is_staff`).
rules.add_perm("accounts.view_profile", is_network_admin)
rules.add_perm("accounts.change_profile", is_network_admin)
rules.add_perm("accounts.view_auditevent", is_network_admin)
