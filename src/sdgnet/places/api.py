"""API: places (Norway, counties, municipalities) and peer groups (read only)."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from sdgnet.places.models import PeerGroup, Place
from sdgnet.web.pagination import BoundedLimitOffsetPagination

router = Router(tags=["places"])


class PlaceOut(Schema):
    code: str
    kind: str
    name: str
    parent: str | None
    population: int | None
    population_year: int | None
    area_km2: float | None

    @staticmethod
    def resolve_parent(place: Place) -> str | None:
        return place.parent_id


class PeerGroupOut(Schema):
    slug: str
    kind: str
    name: str
    members: list[str]

    @staticmethod
    def resolve_members(group: PeerGroup) -> list[str]:
        return sorted(place.code for place in group.members.all())


@router.get("/places", response=list[PlaceOut])
@paginate(BoundedLimitOffsetPagination)
def list_places(
    request: HttpRequest, kind: str | None = None, q: str | None = None
) -> QuerySet[Place]:
    places = Place.objects.all()
    if kind:
        places = places.filter(kind=kind)
    if q:
        places = places.filter(Q(name__icontains=q[:100]) | Q(code=q[:8]))
    return places.order_by("code")


@router.get("/places/{code}", response=PlaceOut)
def get_place(request: HttpRequest, code: str) -> Any:
    return get_object_or_404(Place, code=code)


@router.get("/peer-groups", response=list[PeerGroupOut])
@paginate(BoundedLimitOffsetPagination)
def list_peer_groups(
    request: HttpRequest, kind: str | None = None, place: str | None = None
) -> QuerySet[PeerGroup]:
    groups = PeerGroup.objects.prefetch_related("members")
    if kind:
        groups = groups.filter(kind=kind)
    if place:
        groups = groups.filter(members__code=place)
    return groups.order_by("slug")


@router.get("/peer-groups/{slug}", response=PeerGroupOut)
def get_peer_group(request: HttpRequest, slug: str) -> Any:
    return get_object_or_404(PeerGroup.objects.prefetch_related("members"), slug=slug)
