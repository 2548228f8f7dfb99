"""The library in the Django admin: for moderation only. Every field is read-only (writes
go through projects/actions.py); the actions hide, restore and mark reviewed call
`do_moderate`, which checks the same named rules as the pages and the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from rules.contrib.admin import ObjectPermissionsModelAdmin

from sdgnet.projects.actions import LibraryError, do_moderate
from sdgnet.projects.models import Method, ProblemReport, Project
from sdgnet.web.admin import ReadOnlyAdmin


class ModerationActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason shown to the owners"), required=False, max_length=2000)


def _moderate(admin_view: Any, request: HttpRequest, items: QuerySet[Any], decision: str) -> None:
    reason = request.POST.get("reason", "")
    done = 0
    for item in items:
        try:
            do_moderate(request.user, item, decision, reason)
        except LibraryError as error:
            problems = " ".join(problem.message for problem in error.problems)
            admin_view.message_user(request, f"{item}: {problems}", messages.ERROR)
        except PermissionDenied:
            refused = _("%(item)s: you may not moderate this.") % {"item": item}
            admin_view.message_user(request, refused, messages.ERROR)
        else:
            done += 1
    if done:
        admin_view.message_user(request, _("%(count)s changed.") % {"count": done})


@admin.action(description=_("Hide (with the reason above)"))
def hide(admin_view: Any, request: HttpRequest, items: QuerySet[Any]) -> None:
    _moderate(admin_view, request, items, "hide")


@admin.action(description=_("Restore"))
def restore(admin_view: Any, request: HttpRequest, items: QuerySet[Any]) -> None:
    _moderate(admin_view, request, items, "restore")


@admin.action(description=_("Mark as reviewed"))
def review(admin_view: Any, request: HttpRequest, items: QuerySet[Any]) -> None:
    _moderate(admin_view, request, items, "review")


class ModeratedAdmin(ObjectPermissionsModelAdmin):
    action_form = ModerationActionForm
    actions = [hide, restore, review]
    list_filter = ["published", "hidden"]
    search_fields = ["key", "title"]
    ordering = ["-updated_at"]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return [field.name for field in self.model._meta.get_fields() if field.concrete]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Project)
class ProjectAdmin(ModeratedAdmin):
    list_display = ["title", "municipality", "published", "hidden", "updated_at", "reviewed_at"]


@admin.register(Method)
class MethodAdmin(ModeratedAdmin):
    list_display = ["title", "kind", "published", "hidden", "updated_at", "reviewed_at"]


@admin.register(ProblemReport)
class ProblemReportAdmin(ReadOnlyAdmin):
    list_display = ["project", "reason", "created_at", "resolved_at"]
    list_filter = ["resolved_at"]
