"""Reads of participation shared by pages and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from sdgnet.accounts.rules import is_municipality_admin, is_network_admin, place_of
from sdgnet.participation.models import Priority, Proposal, Support

# How a list may be sorted: by support (ties: newest first) or newest first.
ORDERINGS = {
    "support": ("-support_count", "-created_at", "-pk"),
    "new": ("-created_at", "-pk"),
}


def proposals(user: Any) -> QuerySet[Proposal]:
    """The proposals `user` may see, each with `support_count`: every visible one, plus
    hidden ones for their author and their moderators."""
    shown = Q(hidden=False)
    if is_network_admin(user):
        shown = Q()
    elif getattr(user, "is_authenticated", False):
        shown |= Q(created_by=user)
        if is_municipality_admin(user) and place_of(user):
            shown |= Q(place_id=place_of(user))
    return (
        Proposal.objects.filter(shown)
        .select_related("place")
        .prefetch_related("goals")
        .annotate(support_count=Count("supports", distinct=True))
    )


def supported_by(user: Any, proposal_ids: list[int]) -> set[int]:
    """Which of these proposals `user` supports."""
    if not getattr(user, "is_authenticated", False) or not proposal_ids:
        return set()
    return set(
        Support.objects.filter(user=user, proposal_id__in=proposal_ids).values_list(
            "proposal_id", flat=True
        )
    )


def public_counts_by_goal(place: str | None = None) -> dict[int, int]:
    """Visible proposals per goal number (of one municipality, or of all)."""
    visible = Proposal.objects.filter(hidden=False)
    if place:
        visible = visible.filter(place_id=place)
    rows = visible.values("goals__number").annotate(n=Count("pk", distinct=True))
    return {row["goals__number"]: row["n"] for row in rows if row["goals__number"] is not None}


def proposals_for_report(place: str, most: int = 20) -> dict[str, Any]:
    """The municipality's public proposals for its council report: how many there are
    by status, and the `most` most supported (a hidden proposal is no public record)."""
    public = Proposal.objects.filter(place_id=place, hidden=False)
    counts = dict(public.values_list("status").annotate(n=Count("pk")).order_by())
    top = (
        public.prefetch_related("goals")
        .annotate(support_count=Count("supports", distinct=True))
        .order_by(*ORDERINGS["support"])[:most]
    )
    return {
        "total": sum(counts.values()),
        "by_status": [
            {"status": status, "label": str(label), "count": counts.get(status, 0)}
            for status, label in Proposal.Status.choices
        ],
        "most_supported": [
            {
                "title": proposal.title,
                "status": proposal.status,
                "status_label": str(proposal.get_status_display()),
                "support_count": proposal.support_count,
                "goals": sorted(goal.number for goal in proposal.goals.all()),
                "url": reverse("proposal", args=[proposal.pk]),
            }
            for proposal in top
        ],
    }


def priority_counts(place: str) -> tuple[int, dict[int, int]]:
    """How many residents have chosen their priorities for the municipality, and how many
    of them chose each goal."""
    chosen = Priority.objects.filter(place_id=place)
    rows = chosen.values("goals__number").annotate(n=Count("pk", distinct=True)).order_by()
    counts = {row["goals__number"]: row["n"] for row in rows if row["goals__number"] is not None}
    return chosen.count(), counts


def priorities_of(user: Any, place: str) -> list[int]:
    """The goals `user` has chosen for the municipality (none for anonymous visitors)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return sorted(
        Priority.goals.through.objects.filter(
            priority__place_id=place, priority__user=user
        ).values_list("goal_id", flat=True)
    )
