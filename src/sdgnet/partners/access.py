"""Reads of the pledges shared by pages and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse

from sdgnet.accounts.rules import is_municipality_admin, is_network_admin, place_of
from sdgnet.partners.models import Pledge
from sdgnet.partners.rules import organisation_key, organisation_of


def pledges(user: Any) -> QuerySet[Pledge]:
    """The pledges `user` may see: every one not hidden, plus hidden ones for their own
    organisation and their moderators."""
    shown = Q(hidden=False)
    if is_network_admin(user):
        shown = Q()
    else:
        if organisation_of(user):
            shown |= Q(organisation_key=organisation_key(organisation_of(user)))
        if is_municipality_admin(user) and place_of(user):
            shown |= Q(place_id=place_of(user))
    return Pledge.objects.filter(shown).select_related("place").prefetch_related("goals")


def pledges_for_report(place: str) -> list[dict[str, Any]]:
    """The pledges made in the municipality for its council report, soonest due first:
    neither hidden nor withdrawn."""
    listed = (
        Pledge.objects.filter(place_id=place, hidden=False)
        .exclude(status=Pledge.Status.WITHDRAWN)
        .prefetch_related("goals")
        .order_by("due_year", "organisation", "pk")
    )
    return [
        {
            "organisation": pledge.organisation,
            "title": pledge.title,
            "goals": sorted(goal.number for goal in pledge.goals.all()),
            "due_year": pledge.due_year,
            "status": pledge.status,
            "status_label": str(pledge.get_status_display()),
            "progress": pledge.progress,
            "url": reverse("pledge", args=[pledge.pk]),
        }
        for pledge in listed
    ]
