from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rules.contrib.admin import ObjectPermissionsModelAdmin

from sdgnet.accounts.models import AuditEvent, Profile
from sdgnet.web.admin import ReadOnlyAdmin

# Accounts are managed on the people page (`/accounts/people/`) and by `sdgnet users`, whose
# actions check the role rules and write the audit log. Django's own user and group admin
# would let a superuser set passwords, activate accounts and grant permissions unaudited.
for model in (get_user_model(), Group):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(Profile)
class ProfileAdmin(ObjectPermissionsModelAdmin):
    list_display = ["user", "role", "place", "organisation"]
    list_filter = ["role"]
    search_fields = ["user__username", "place__name"]
    raw_id_fields = ["user", "place"]

    def get_form(self, request, obj=None, change=False, **kwargs):  # type: ignore[no-untyped-def]
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class CheckedProfileForm(form_class):  # type: ignore[misc,valid-type]
            """Shows the refusals of `do_change_role` (same rules as the people page)."""

            def clean(self):  # type: ignore[no-untyped-def]
                from sdgnet.accounts.actions import check_change_role

                data = super().clean()
                user = data.get("user") or getattr(self.instance, "user", None)
                if user is not None and data.get("role"):
                    place = data.get("place")
                    for problem in check_change_role(
                        request.user, user, data["role"], place.pk if place else None
                    ):
                        self.add_error(None, problem)
                return data

        return CheckedProfileForm

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        # Role changes go through the action so they are audited like any other write.
        from sdgnet.accounts.actions import do_change_role

        do_change_role(
            obj.user,
            obj.role,
            place=obj.place_id,
            organisation=obj.organisation,
            actor=request.user,
        )


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_id", "place"]
    list_filter = ["action"]
    search_fields = ["actor_label", "object_id"]
