"""Proposals in the Django admin, to look up: answers and moderation go through the
proposal's page (participation/actions.py), which keeps the audit log."""

from django.contrib import admin

from sdgnet.participation.models import Proposal
from sdgnet.web.admin import ReadOnlyAdmin


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ("title", "place", "status", "hidden", "created_at")
    list_filter = ("status", "hidden")
    search_fields = ("title", "body", "place__name")
