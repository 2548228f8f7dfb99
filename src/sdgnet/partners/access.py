"""Reads of the pledges shared by pages and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from sdgnet.accounts.rules import is_municipality_admin, is_network_admin, place_of
from sdgnet.partners.models import Pledge
from sdgnet.partners.rules import organisation_of


def pledges(user: Any) -> QuerySet[Pledge]:
    """The pledges `user` may see: every one not hidden, plus hidden ones for their own
    organisation and their moderators."""
    shown = Q(hidden=False)
    if is_network_admin(user):
        shown = Q()
    else:
        if organisation_of(user):
            shown |= Q(organisation__iexact=organisation_of(user))
        if is_municipality_admin(user) and place_of(user):
            shown |= Q(place_id=place_of(user))
    return Pledge.objects.filter(shown).select_related("place").prefetch_related("goals")
