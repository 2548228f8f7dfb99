"""Admin pieces shared by the apps (no models of its own are registered here)."""

from __future__ import annotations

from rules.contrib.admin import ObjectPermissionsModelAdmin


class ReadOnlyAdmin(ObjectPermissionsModelAdmin):
    """A record kept by the app's own actions (audit events, problem reports): shown in
    the admin, never added, changed or deleted there."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
