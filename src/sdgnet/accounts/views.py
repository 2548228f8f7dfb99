from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlencode, urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sdgnet.accounts import actions
from sdgnet.accounts.access import api_tokens, audit_events, manageable_users, permission_page
from sdgnet.accounts.audit import audit_csv
from sdgnet.accounts.forms import (
    AuditedPasswordChangeForm,
    InvitationForm,
    PeopleFilterForm,
    RoleForm,
    SetPasswordForm,
    SignUpForm,
)
from sdgnet.accounts.models import ApiToken, Role


def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def activation_url(user: object) -> str:
            uid = urlsafe_base64_encode(force_bytes(user.pk))  # type: ignore[attr-defined]
            token = default_token_generator.make_token(user)  # type: ignore[arg-type]
            return request.build_absolute_uri(reverse("activate", args=[uid, token]))

        actions.do_sign_up_citizen(
            form.cleaned_data["email"],
            form.cleaned_data["password1"],
            activation_url=activation_url,
        )
        # The same answer whether or not the address already had an account.
        return render(request, "accounts/signup_sent.html")
    return render(request, "accounts/signup.html", {"form": form})


def activate(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    User = get_user_model()
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or user.is_active or not default_token_generator.check_token(user, token):
        return render(request, "accounts/activate.html", {"ok": False}, status=400)
    actions.do_activate_user(user)
    return render(request, "accounts/activate.html", {"ok": True})


@permission_page("accounts.invite_user")
def invite(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_invite_user(
                request.user,
                form.cleaned_data["email"],
                form.cleaned_data["role"],
                place=form.cleaned_data["place"] or None,
                organisation=form.cleaned_data["organisation"],
                accept_url=lambda secret: request.build_absolute_uri(
                    reverse("accept_invitation", args=[secret])
                ),
            )
        except actions.AccountError as error:
            problems = error.problems
        else:
            messages.success(request, _("The invitation has been sent."))
            return redirect("invite")
    return render(request, "accounts/invite.html", {"form": form, "problems": problems})


def accept_invitation(request: HttpRequest, secret: str) -> HttpResponse:
    """A new address chooses its password here. An address that has an account keeps its
    password: its owner logs in with it, then accepts (docs/roles.md, Invitations)."""
    invitation = actions.open_invitation(secret)
    if invitation is None:
        raise Http404
    account = get_user_model().objects.filter(username=invitation.email).first()
    problems: list[str] = []
    context: dict[str, Any] = {"invitation": invitation, "problems": problems}
    if account is None:
        form = SetPasswordForm(request.POST or None)
        context["form"] = form
        if request.method == "POST" and form.is_valid():
            try:
                actions.do_accept_invitation(secret, form.cleaned_data["password1"])
            except actions.AccountError as error:
                problems += error.problems
            else:
                messages.success(request, _("Welcome! You can now log in."))
                return redirect("login")
        return render(request, "accounts/accept_invitation.html", context)
    signed_in_as_invited = request.user.is_authenticated and request.user.pk == account.pk
    if not account.is_active:
        problems.append(actions.inactive_account_problem(invitation.email))
    elif request.method == "POST" and signed_in_as_invited:
        try:
            actions.do_accept_invitation(secret, user=request.user)
        except actions.AccountError as error:
            problems += error.problems
        else:
            messages.success(
                request,
                _("You are now %(role)s.") % {"role": invitation.get_role_display()},
            )
            return redirect("home")
    context.update(
        existing=True,
        active=account.is_active,
        signed_in_as_invited=signed_in_as_invited,
        login_url=f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': request.path})}",
    )
    return render(request, "accounts/accept_invitation.html", context)


@permission_page("accounts.view_audit_log")
def audit_log(request: HttpRequest) -> HttpResponse:
    events = audit_events(request.user)
    if action := request.GET.get("action", "").strip()[:80]:
        events = events.filter(action=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/audit_log.html", {"page": page, "action": action})


@permission_page("accounts.view_audit_log")
def audit_log_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(audit_csv(audit_events(request.user)), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="sdgnet-audit-log.csv"'
    return response


@permission_page("accounts.create_api_token")
def tokens(request: HttpRequest) -> HttpResponse:
    secret = None
    if request.method == "POST":
        try:
            secret = actions.do_create_api_token(
                request.user, name=request.POST.get("name", "")
            ).secret
        except actions.AccountError as error:
            messages.error(request, "; ".join(error.problems))
    return render(
        request, "accounts/tokens.html", {"tokens": api_tokens(request.user), "secret": secret}
    )


@require_POST
@permission_page("accounts.create_api_token")
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = api_tokens(request.user).filter(pk=pk).first()
    if token is None:
        raise Http404
    if not isinstance(token, ApiToken):
        raise PermissionDenied
    actions.do_revoke_api_token(token, actor=request.user)
    messages.success(request, _("The token has been revoked."))
    return redirect("tokens")


PEOPLE_PER_PAGE = 50


@permission_page("accounts.manage_users")
def people(request: HttpRequest) -> HttpResponse:
    """The accounts the user may manage, searchable by e-mail, role and municipality."""
    accounts = manageable_users(request.user)
    search = PeopleFilterForm(request.GET or None, actor=request.user)
    if search.is_valid():
        if query := search.cleaned_data["q"].strip():
            accounts = accounts.filter(username__icontains=query)
        if role := search.cleaned_data["role"]:
            accounts = accounts.filter(profile__role=role)
        if place := search.cleaned_data.get("place"):
            accounts = accounts.filter(profile__place_id=place)
    page = Paginator(accounts, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    return render(
        request,
        "accounts/people.html",
        {"page": page, "search": search, "query": query_without_page.urlencode()},
    )


def _managed_person(request: HttpRequest, pk: int) -> Any:
    """The account `pk` if the user may manage it; others answer 404."""
    return get_object_or_404(manageable_users(request.user), pk=pk)


def _role_initial(person: Any) -> dict[str, Any]:
    profile = getattr(person, "profile", None)
    if profile is None:
        return {"role": Role.CITIZEN}
    return {"role": profile.role, "place": profile.place_id, "organisation": profile.organisation}


@permission_page("accounts.manage_users")
def person(request: HttpRequest, pk: int) -> HttpResponse:
    """One account: its role and access, and the form to change its role."""
    account = _managed_person(request, pk)
    is_self = account.pk == request.user.pk
    form = RoleForm(
        request.POST or None, actor=request.user, person=account, initial=_role_initial(account)
    )
    problems: list[str] = []
    if request.method == "POST" and not is_self and form.is_valid():
        try:
            actions.do_change_role(
                account,
                form.cleaned_data["role"],
                place=form.cleaned_data["place"] or None,
                organisation=form.cleaned_data["organisation"],
                actor=request.user,
            )
        except actions.AccountError as error:
            problems = error.problems
        else:
            messages.success(request, _("The role has been changed."))
            return redirect("person", pk=account.pk)
    return render(
        request,
        "accounts/person.html",
        {
            "person": account,
            "form": form,
            "problems": problems,
            "is_self": is_self,
            "active_tokens": api_tokens(account).count(),
        },
    )


@require_POST
@permission_page("accounts.manage_users")
def deactivate_person(request: HttpRequest, pk: int) -> HttpResponse:
    account = _managed_person(request, pk)
    try:
        actions.do_deactivate_user(account, actor=request.user)
    except actions.AccountError as error:
        messages.error(request, " ".join(error.problems))
    else:
        messages.success(
            request,
            _(
                "Access has been revoked: the account is deactivated, its API tokens revoked and its sessions ended."
            ),
        )
    return redirect("person", pk=account.pk)


@require_POST
@permission_page("accounts.manage_users")
def reactivate_person(request: HttpRequest, pk: int) -> HttpResponse:
    account = _managed_person(request, pk)
    try:
        actions.do_reactivate_user(account, actor=request.user)
    except actions.AccountError as error:
        messages.error(request, " ".join(error.problems))
    else:
        messages.success(request, _("The account is active again."))
    return redirect("person", pk=account.pk)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change (old password, new twice), stored through the audited
    action; the same page then says the password was changed."""

    form_class = AuditedPasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("password_change")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response
