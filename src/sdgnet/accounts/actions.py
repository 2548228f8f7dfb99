"""Every write to users, roles, invitations and API tokens goes through here."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sdgnet.accounts import audit
from sdgnet.accounts.models import PLACE_ROLES, ApiToken, Invitation, Profile, Role
from sdgnet.accounts.rules import is_network_admin, place_of, role_of
from sdgnet.places.models import Place

TOKEN_PREFIX = "sdg_"


class AccountError(ValueError):
    """A refused account write; `problems` lists every reason at once."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_role_and_place(role: str, place_code: str | None) -> tuple[list[str], Place | None]:
    problems: list[str] = []
    place: Place | None = None
    if role not in Role.values:
        problems.append(_("Unknown role: %(role)s") % {"role": role})
    if place_code:
        place = Place.objects.filter(code=place_code, kind=Place.Kind.MUNICIPALITY).first()
        if place is None:
            problems.append(_("No municipality has the number %(code)s.") % {"code": place_code})
    elif role in PLACE_ROLES:
        problems.append(_("A municipality administrator or editor needs a municipality."))
    if place is not None and role not in PLACE_ROLES:
        problems.append(_("Only municipality administrators and editors belong to a municipality."))
    return problems, place


def _profile_state(profile: Profile) -> dict[str, Any]:
    return {
        "email": profile.user.get_username(),
        "role": profile.role,
        "place": profile.place_id,
        "organisation": profile.organisation,
        "active": profile.user.is_active,
    }


def do_create_user(
    email: str,
    role: str,
    *,
    place: str | None = None,
    password: str | None = None,
    organisation: str = "",
    active: bool = True,
    actor: Any = None,
) -> AbstractBaseUser:
    """Create a user with a role; without a password the user sets one by password reset."""
    email = normalise_email(email)
    problems, place_obj = _check_role_and_place(role, place)
    try:
        validate_email(email)
    except ValidationError:
        problems.append(_("Enter a valid e-mail address."))
    User = get_user_model()
    if User.objects.filter(username=email).exists():
        problems.append(_("A user with this e-mail address already exists."))
    if password is not None and not problems:
        try:
            validate_password(password, User(username=email, email=email))
        except ValidationError as error:
            problems.extend(str(message) for message in error.messages)
    if problems:
        raise AccountError(problems)
    with transaction.atomic():
        user = User.objects.create_user(
            username=email,
            email=email,
            password=password,
            is_staff=role == Role.NETWORK_ADMIN,
            is_active=active,
        )
        profile = Profile.objects.create(
            user=user, role=role, place=place_obj, organisation=organisation.strip()
        )
        audit.record(actor, "accounts.create_user", profile, after=_profile_state(profile))
    return user


def do_change_role(
    user: Any, role: str, *, place: str | None = None, organisation: str = "", actor: Any = None
) -> Profile:
    problems, place_obj = _check_role_and_place(role, place)
    if problems:
        raise AccountError(problems)
    with transaction.atomic():
        profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
        before = _profile_state(profile)
        profile.role = role
        profile.place = place_obj
        profile.organisation = organisation.strip()
        profile.save()
        user.is_staff = role == Role.NETWORK_ADMIN
        user.save(update_fields=["is_staff"])
        audit.record(
            actor, "accounts.change_role", profile, before=before, after=_profile_state(profile)
        )
    return profile


def do_sign_up_citizen(email: str, password: str, *, activation_url: Any) -> None:
    """Sign up a citizen. The account starts inactive and an activation link is mailed;
    if the address already has an account, that account is told instead. Either way the
    caller shows the same answer, so nobody learns which addresses have accounts."""
    email = normalise_email(email)
    User = get_user_model()
    existing = User.objects.filter(username=email).first()
    if existing is not None:
        send_mail(
            _("Sign-up attempt on sdgnet"),
            _(
                "Someone tried to create an account with this e-mail address, which already "
                "has one. If it was you, use “Forgot your password?” on the login page."
            ),
            None,
            [email],
        )
        return
    user = do_create_user(email, Role.CITIZEN, password=password, active=False)
    send_mail(
        _("Activate your sdgnet account"),
        _("Open this link to activate your account: %(url)s") % {"url": activation_url(user)},
        None,
        [email],
    )


def do_activate_user(user: Any) -> None:
    with transaction.atomic():
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit.record(user, "accounts.activate_user", user, after={"active": True})


def may_invite(actor: Any, role: str, place: str | None) -> bool:
    """Network admins invite anyone; a municipality admin invites staff of their own
    municipality."""
    if is_network_admin(actor):
        return True
    return (
        role_of(actor) == Role.MUNICIPALITY_ADMIN
        and role in PLACE_ROLES
        and place is not None
        and place == place_of(actor)
    )


@dataclass(frozen=True)
class NewInvitation:
    invitation: Invitation
    secret: str


def do_invite_user(
    actor: Any,
    email: str,
    role: str,
    *,
    place: str | None = None,
    organisation: str = "",
    accept_url: Any = None,
) -> NewInvitation:
    email = normalise_email(email)
    problems, place_obj = _check_role_and_place(role, place)
    try:
        validate_email(email)
    except ValidationError:
        problems.append(_("Enter a valid e-mail address."))
    if not may_invite(actor, role, place):
        problems.append(_("You may not invite this role for this municipality."))
    if problems:
        raise AccountError(problems)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            email=email,
            role=role,
            place=place_obj,
            organisation=organisation.strip(),
            token_hash=hash_secret(secret),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
        )
        audit.record(
            actor,
            "accounts.invite_user",
            invitation,
            place=place_obj,
            after={"email": email, "role": role, "place": place, "organisation": organisation},
        )
    if accept_url is not None:
        send_mail(
            _("You are invited to sdgnet"),
            _("You are invited to sdgnet as %(role)s. Open this link to accept: %(url)s")
            % {"role": Role(role).label, "url": accept_url(secret)},
            None,
            [email],
        )
    return NewInvitation(invitation=invitation, secret=secret)


def open_invitation(secret: str) -> Invitation | None:
    """The invitation this secret opens, if it is still open."""
    return Invitation.objects.filter(
        token_hash=hash_secret(secret), accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).first()


def do_accept_invitation(secret: str, password: str) -> Any:
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(
                token_hash=hash_secret(secret),
                accepted_at__isnull=True,
                expires_at__gt=timezone.now(),
            )
            .first()
        )
        if invitation is None:
            raise AccountError([_("This invitation is no longer valid.")])
        User = get_user_model()
        user: Any = User.objects.filter(username=invitation.email).first()
        if user is None:
            user = do_create_user(
                invitation.email,
                invitation.role,
                place=invitation.place_id,
                organisation=invitation.organisation,
                password=password,
                actor=invitation.created_by,
            )
        else:
            do_change_role(
                user,
                invitation.role,
                place=invitation.place_id,
                organisation=invitation.organisation,
                actor=invitation.created_by,
            )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        audit.record(user, "accounts.accept_invitation", invitation, place=invitation.place_id)
    return user


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str


def do_create_api_token(user: Any, *, name: str = "", actor: Any = None) -> NewToken:
    """A new API token for `user`; the secret is returned once and only its hash kept."""
    if not getattr(user, "is_active", False):
        raise AccountError([_("The user is not active.")])
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name[:100], prefix=secret[:12], token_hash=hash_secret(secret)
        )
        audit.record(
            actor if actor is not None else user,
            "accounts.create_api_token",
            token,
            after={"user": user.get_username(), "prefix": token.prefix, "name": token.name},
        )
    return NewToken(token=token, secret=secret)


def do_revoke_api_token(token: ApiToken, *, actor: Any) -> None:
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor, "accounts.revoke_api_token", token, after={"prefix": token.prefix})


def user_for_token(secret: str) -> Any:
    """The active user a bearer token belongs to, or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__profile")
        .filter(token_hash=hash_secret(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Record use at most once a minute: a busy script should not write on every request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
