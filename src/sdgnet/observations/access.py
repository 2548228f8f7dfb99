"""Reads of observations scoped to the user: every page, JSON twin, API route and
export that shows observations starts from `visible_observations(user)`.

Embargoed (unpublished) observations are seen only by network admins and by the
municipality admins and editors of the observation's own municipality; everyone else,
anonymous users included, sees published observations only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from sdgnet.accounts.rules import is_network_admin, place_of
from sdgnet.observations.models import ImportBatch, Observation


def visible_observations(user: Any = None) -> QuerySet[Observation]:
    """Observations `user` may see (None or anonymous: published ones only)."""
    observations = Observation.objects.all()
    if is_network_admin(user):
        return observations
    own = place_of(user)
    if own is not None:
        return observations.filter(Q(embargoed=False) | Q(place_id=own))
    return observations.filter(embargoed=False)


def published_observations() -> QuerySet[Observation]:
    """What the public sees and what scoring uses."""
    return Observation.objects.filter(embargoed=False)


def embargoed_batches(user: Any) -> QuerySet[ImportBatch]:
    """Batches waiting to be published that `user` may see."""
    batches = ImportBatch.objects.filter(embargoed=True, published_at__isnull=True)
    if is_network_admin(user):
        return batches
    own = place_of(user)
    if own is None:
        return batches.none()
    return batches.filter(observations__place_id=own).distinct()


def batch_places(batch: ImportBatch) -> set[str]:
    return set(batch.observations.values_list("place_id", flat=True).distinct())
