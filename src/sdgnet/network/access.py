"""Reads of the network shared by pages and the API."""

from __future__ import annotations

from django.db.models import QuerySet

from sdgnet.network.models import LearningGroup, LocalTarget, Membership


def members() -> QuerySet[Membership]:
    return Membership.objects.filter(status=Membership.Status.APPROVED).select_related("place")


def applications() -> QuerySet[Membership]:
    return Membership.objects.filter(status=Membership.Status.APPLIED).select_related(
        "place", "applied_by"
    )


def learning_groups() -> QuerySet[LearningGroup]:
    return LearningGroup.objects.prefetch_related("members", "goals")


def local_targets(place: str | None = None) -> QuerySet[LocalTarget]:
    targets = LocalTarget.objects.select_related("indicator")
    return targets.filter(place_id=place) if place else targets
