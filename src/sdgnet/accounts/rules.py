"""Shared predicates for roles, and the account permissions.

Every app's `rules.py` builds its named permissions from these predicates; pages, the
API and the admin all ask `user.has_perm("app.permission", obj)`. A permission whose
object is a place takes a `Place` or a municipality number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rules

from sdgnet.accounts.models import PLACE_ROLES, Role


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


@dataclass(frozen=True)
class RoleGrant:
    """A role and the municipality number it is for (None for roles without one): the
    object of `accounts.grant_role`, asked when inviting and when changing a role."""

    role: str
    place: str | None


@rules.predicate
def grants_staff_of_own_place(user: Any, grant: RoleGrant | None) -> bool:
    """A municipality admin gives editor or municipality-admin roles of their own place."""
    return (
        grant is not None
        and grant.role in PLACE_ROLES
        and grant.place is not None
        and administers_place(user, grant.place)
    )


@rules.predicate
def administers_account_of_own_place(user: Any, account: Any) -> bool:
    """A municipality admin manages the editors and admins of their own municipality."""
    if account is None or not is_municipality_admin(user):
        return False
    return role_of(account) in PLACE_ROLES and place_of(account) == place_of(user)


rules.add_perm("accounts.view_audit_log", is_network_admin)
rules.add_perm("accounts.invite_user", is_network_admin | is_municipality_admin)
rules.add_perm("accounts.grant_role", is_network_admin | grants_staff_of_own_place)
# The people page; which accounts a user sees there is `access.manageable_users`.
rules.add_perm("accounts.manage_users", is_network_admin | is_municipality_admin)
# Changing one account's role or access (its object is the user); nobody changes their
# own, which the actions refuse with a message rather than hiding the account.
rules.add_perm("accounts.manage_user", is_network_admin | administers_account_of_own_place)
rules.add_perm("accounts.create_api_token", is_authenticated)
# The Django admin: only network administrators see it (they are made `is_staff`).
rules.add_perm("accounts.view_profile", is_network_admin)
rules.add_perm("accounts.change_profile", is_network_admin)
rules.add_perm("accounts.view_auditevent", is_network_admin)
