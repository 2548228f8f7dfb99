"""Every write to users, roles, invitations and API tokens goes through here."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import rules
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sdgnet.accounts import audit
from sdgnet.accounts.models import PLACE_ROLES, ApiToken, Invitation, Profile, Role
from sdgnet.accounts.rules import RoleGrant
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
        # Created without a password; a given one is stored by `_store_password`, which
        # records that it was set.
        user = User.objects.create_user(
            username=email,
            email=email,
            password=None,
            is_staff=role == Role.NETWORK_ADMIN,
            is_active=active,
        )
        profile = Profile.objects.create(
            user=user, role=role, place=place_obj, organisation=organisation.strip()
        )
        audit.record(
            actor, "accounts.create_user", profile, place=place_obj, after=_profile_state(profile)
        )
        if password is not None:
            _store_password(user, password, actor=actor, action="accounts.set_password")
    return user


def _store_password(user: Any, password: str, *, actor: Any, action: str) -> None:
    """Hash and keep a new password and record that it changed. The audit event never
    holds the password or its hash: only that it changed."""
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(actor, action, user, after={"password": "changed"})


PASSWORD_ACTIONS = {
    "change": "accounts.change_password",  # the change form, logged in
    "reset": "accounts.reset_password",  # the link mailed by password reset
    "set": "accounts.set_password",  # chosen when accepting an invitation or signing up
}


def do_set_password(user: Any, password: str, *, how: str, actor: Any = None) -> None:
    """Set `user`'s password (`how`: change, reset or set) and record it in the audit
    log; `actor` is the user themselves unless given."""
    if how not in PASSWORD_ACTIONS:
        raise ValueError(f"unknown way of setting a password: {how}")
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise AccountError([str(message) for message in error.messages]) from error
    with transaction.atomic():
        _store_password(
            user, password, actor=user if actor is None else actor, action=PASSWORD_ACTIONS[how]
        )


def _refusals(actor: Any, user: Any, grant: RoleGrant | None = None) -> list[str]:
    """Why `actor` may not change `user`'s role or access (to `grant`). An actor of None
    is an operator at the command line, who may do anything the guards allow."""
    if actor is None:
        return []
    if getattr(actor, "pk", None) == user.pk:
        return [_("You cannot change your own role or access.")]
    if not rules.has_perm("accounts.manage_user", actor, user):
        return [_("You may not manage this account.")]
    if grant is not None and not rules.has_perm("accounts.grant_role", actor, grant):
        return [_("You may not give this role for this municipality.")]
    return []


def check_change_role(actor: Any, user: Any, role: str, place: str | None) -> list[str]:
    """Every reason the change would be refused, for forms to show before they submit
    (the action checks again inside its transaction)."""
    problems, _place = _check_role_and_place(role, place)
    problems += _refusals(actor, user, RoleGrant(role, place or None))
    if role != Role.NETWORK_ADMIN and _is_last_network_admin(user):
        problems.append(_last_network_admin_problem())
    return problems


def _last_network_admin_problem() -> str:
    return _("This is the last active network administrator; make someone else one first.")


def _is_last_network_admin(user: Any, *, lock: bool = False) -> bool:
    """Whether `user` is the only active network administrator. With `lock`, the network
    administrators' rows are locked first, so two admins demoting each other at once
    cannot both pass: the second waits, then counts what the first committed."""
    User = get_user_model()
    admins = User.objects.filter(is_active=True).filter(
        Q(is_superuser=True) | Q(profile__role=Role.NETWORK_ADMIN)
    )
    if lock:
        # Only the users' rows: PostgreSQL cannot lock the nullable side of the outer join.
        list(admins.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))
    return list(admins.values_list("pk", flat=True)[:2]) == [user.pk]


def _apply_role(
    user: Any, role: str, place_obj: Place | None, organisation: str, actor: Any
) -> Profile:
    """Write the role (callers have checked who may); refuse to remove the last active
    network administrator."""
    if role != Role.NETWORK_ADMIN and _is_last_network_admin(user, lock=True):
        raise AccountError([_last_network_admin_problem()])
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    before = _profile_state(profile)
    before_place = profile.place_id
    profile.role = role
    profile.place = place_obj
    profile.organisation = organisation.strip()
    profile.save()
    user.is_staff = role == Role.NETWORK_ADMIN
    user.save(update_fields=["is_staff"])
    audit.record(
        actor,
        "accounts.change_role",
        profile,
        place=place_obj.pk if place_obj is not None else before_place,
        before=before,
        after=_profile_state(profile),
    )
    return profile


def do_change_role(
    user: Any, role: str, *, place: str | None = None, organisation: str = "", actor: Any = None
) -> Profile:
    """Give `user` a role (and the municipality it needs). `actor` must be allowed to
    manage the account (`accounts.manage_user`) and to give the role
    (`accounts.grant_role`), and may not be `user`; None is an operator."""
    place = place or None
    problems, place_obj = _check_role_and_place(role, place)
    problems += _refusals(actor, user, RoleGrant(role, place))
    if problems:
        raise AccountError(problems)
    with transaction.atomic():
        return _apply_role(user, role, place_obj, organisation, actor)


def _end_sessions(user: Any) -> int:
    """Delete the user's sessions. Sessions are stored signed, not by user, so each
    unexpired one is read; a network has few, and an inactive user's session would be
    refused anyway (ModelBackend.get_user), this only keeps reactivation from reviving it."""
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            ended.append(session.pk)
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


def do_deactivate_user(user: Any, *, actor: Any) -> None:
    """Revoke `user`'s access: the account is deactivated, every API token revoked and
    every session ended, in one transaction."""
    problems = _refusals(actor, user)
    if not user.is_active:
        problems.append(_("This account is already deactivated."))
    if problems:
        raise AccountError(problems)
    with transaction.atomic():
        if _is_last_network_admin(user, lock=True):
            raise AccountError([_last_network_admin_problem()])
        profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
        before = _profile_state(profile)
        user.is_active = False
        user.save(update_fields=["is_active"])
        profile.user = user
        tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        sessions = _end_sessions(user)
        audit.record(
            actor,
            "accounts.deactivate_user",
            profile,
            place=profile.place_id,
            before=before,
            after={**_profile_state(profile), "tokens_revoked": tokens, "sessions_ended": sessions},
        )


def do_reactivate_user(user: Any, *, actor: Any) -> None:
    """Let a deactivated user log in again; revoked tokens stay revoked."""
    problems = _refusals(actor, user)
    if user.is_active:
        problems.append(_("This account is already active."))
    if problems:
        raise AccountError(problems)
    with transaction.atomic():
        profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
        before = _profile_state(profile)
        user.is_active = True
        user.save(update_fields=["is_active"])
        profile.user = user
        audit.record(
            actor,
            "accounts.reactivate_user",
            profile,
            place=profile.place_id,
            before=before,
            after=_profile_state(profile),
        )


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
    municipality: the named rule `accounts.grant_role`, as for changing a role."""
    return bool(rules.has_perm("accounts.grant_role", actor, RoleGrant(role, place or None)))


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


def inactive_account_problem(email: str) -> str:
    return _(
        "The account %(email)s is not active, so it cannot accept the invitation. "
        "Ask the person who invited you to have it reactivated."
    ) % {"email": email}


def do_accept_invitation(secret: str, password: str | None = None, *, user: Any = None) -> Any:
    """Accept an open invitation. An address without an account gets one, with the
    `password` its owner chose. An address with an account keeps its password: its owner
    accepts signed in (`user` is that account), and only the role, municipality and
    organisation change."""
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
        account: Any = User.objects.filter(username=invitation.email).first()
        if account is None:
            if password is None:
                raise AccountError([_("Choose a password.")])
            try:
                validate_password(password, User(username=invitation.email))
            except ValidationError as error:
                raise AccountError([str(message) for message in error.messages]) from error
            user = do_create_user(
                invitation.email,
                invitation.role,
                place=invitation.place_id,
                organisation=invitation.organisation,
                actor=invitation.created_by,
            )
            # The invited person chose this password, so they are its actor.
            _store_password(user, password, actor=user, action=PASSWORD_ACTIONS["set"])
        else:
            # Holding the link is not enough to act for an existing account: its owner
            # signs in first, and their password is left as it is.
            if not account.is_active:
                raise AccountError([inactive_account_problem(invitation.email)])
            if user is None or user.pk != account.pk:
                raise AccountError(
                    [
                        _("Log in as %(email)s to accept this invitation.")
                        % {"email": invitation.email}
                    ]
                )
            user = account
            # Whoever invited had the right to give the role when inviting, and the
            # person accepts it; only the last-network-admin guard still applies.
            _apply_role(
                user,
                invitation.role,
                invitation.place,
                invitation.organisation,
                invitation.created_by,
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
