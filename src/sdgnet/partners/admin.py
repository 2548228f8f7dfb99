"""Pledges in the Django admin, to look up: progress and moderation go through the
pledge's page (partners/actions.py), which keeps the audit log."""

from django.contrib import admin

from sdgnet.partners.models import Pledge
from sdgnet.web.admin import ReadOnlyAdmin


@admin.register(Pledge)
class PledgeAdmin(ReadOnlyAdmin):
    list_display = ("title", "organisation", "place", "status", "progress", "hidden")
    list_filter = ("status", "hidden")
    search_fields = ("title", "description", "organisation", "place__name")
