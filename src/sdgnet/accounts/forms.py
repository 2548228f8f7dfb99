from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from sdgnet.accounts.actions import check_change_role, do_set_password, normalise_email
from sdgnet.accounts.models import Role
from sdgnet.accounts.rules import RoleGrant, is_network_admin, place_of
from sdgnet.places.models import Place


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form; the `username` field holds the e-mail address."""

    username = forms.CharField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean_username(self) -> str:
        return normalise_email(self.cleaned_data["username"])


class SignUpForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    password1 = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") != data.get("password2"):
            raise forms.ValidationError(_("The two passwords differ."))
        if data.get("password1"):
            validate_password(data["password1"])
        return data


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") != data.get("password2"):
            raise forms.ValidationError(_("The two passwords differ."))
        if data.get("password1"):
            validate_password(data["password1"])
        return data


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"), choices=[(r.value, r.label) for r in Role if r != Role.CITIZEN]
    )
    place = forms.CharField(
        label=_("Municipality number"),
        max_length=4,
        required=False,
        help_text=_("For municipality administrators and editors"),
    )
    organisation = forms.CharField(
        label=_("Organisation"), max_length=200, required=False, help_text=_("For partners")
    )


class AuditedPasswordMixin:
    """Django's password forms store the new password through `do_set_password`, so the
    change is recorded in the audit log (only that it changed, never the password)."""

    password_how = "change"

    def set_password_and_save(
        self, user: Any, password_field_name: str = "password1", commit: bool = True
    ) -> Any:
        password = self.cleaned_data[password_field_name]  # type: ignore[attr-defined]
        if not commit:
            user.set_password(password)
            return user
        do_set_password(user, password, how=self.password_how)
        return user


class AuditedPasswordChangeForm(AuditedPasswordMixin, auth_forms.PasswordChangeForm):
    password_how = "change"


class AuditedPasswordResetForm(AuditedPasswordMixin, auth_forms.SetPasswordForm):  # type: ignore[type-arg]
    """The form behind the password reset link."""

    password_how = "reset"


def choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def municipality_choices(actor: Any) -> list[tuple[str, str]]:
    """The municipalities `actor` may give a role for: all for a network admin, their
    own for a municipality admin."""
    places = Place.objects.filter(kind=Place.Kind.MUNICIPALITY).order_by("name")
    if not is_network_admin(actor):
        places = places.filter(code=place_of(actor))
    return [(place.code, f"{place.name} ({place.code})") for place in places]


def grantable_roles(actor: Any, place: str | None) -> list[tuple[str, str]]:
    """The roles `actor` may give (the rule `accounts.grant_role`)."""
    return [
        (role.value, str(role.label))
        for role in Role
        if actor.has_perm("accounts.grant_role", RoleGrant(role.value, place))
    ]


class PeopleFilterForm(forms.Form):
    """The people page's search: e-mail, role and municipality (a GET form)."""

    q = forms.CharField(label=_("E-mail address contains"), max_length=254, required=False)
    role = forms.ChoiceField(label=_("Role"), required=False)
    place = forms.ChoiceField(label=_("Municipality"), required=False)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "role").choices = [("", _("All roles")), *Role.choices]
        if is_network_admin(actor):
            choice_field(self, "place").choices = [
                ("", _("All municipalities")),
                *municipality_choices(actor),
            ]
        else:
            # A municipality admin sees only their own municipality's accounts anyway.
            del self.fields["place"]


class RoleForm(forms.Form):
    """A person's role, municipality and organisation, as `actor` may set them."""

    role = forms.ChoiceField(label=_("Role"))
    place = forms.ChoiceField(
        label=_("Municipality"),
        required=False,
        help_text=_("For municipality administrators and editors"),
    )
    organisation = forms.CharField(
        label=_("Organisation"), max_length=200, required=False, help_text=_("For partners")
    )

    def __init__(self, *args: Any, actor: Any, person: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.person = person
        own_place = None if is_network_admin(actor) else place_of(actor)
        choice_field(self, "role").choices = grantable_roles(actor, own_place)
        places = municipality_choices(actor)
        choice_field(self, "place").choices = (
            [("", _("None")), *places] if own_place is None else places
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "role" in data:
            for problem in check_change_role(
                self.actor, self.person, data["role"], data.get("place") or None
            ):
                self.add_error(None, problem)
        return data
