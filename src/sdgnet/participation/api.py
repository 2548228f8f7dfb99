"""API: citizens' proposals to their municipality and the support they gather. A user sees
what the proposal pages show them (`access.proposals`): every proposal that is not hidden,
and hidden ones only for their author and their moderators. Writes (a proposal, support
and its withdrawal) need a bearer token and call the same actions and rules as the pages.
Who made or supports a proposal is never part of an answer."""

from datetime import datetime
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from sdgnet.dashboards.municipality import municipality_dashboard
from sdgnet.participation import access
from sdgnet.participation.actions import (
    ParticipationError,
    do_propose,
    do_support,
    do_withdraw_support,
)
from sdgnet.participation.models import Proposal, Support
from sdgnet.participation.priorities import residents_priorities
from sdgnet.places.models import Place
from sdgnet.web.api import (
    ID_MAX,
    INTEGER_MAX,
    ApiError,
    Error,
    GoalNumber,
    auth_user,
    bearer_only,
    check_list_filters,
)
from sdgnet.web.pagination import BoundedLimitOffsetPagination

router = Router(tags=["participation"])


class ProposalOut(Schema):
    id: int
    place: str
    place_name: str
    title: str
    body: str  # Markdown source
    goals: list[int]
    status: str
    support_count: int
    response: str  # Markdown source
    responded_at: datetime | None
    created_at: datetime
    hidden: bool
    url: str

    @staticmethod
    def resolve_place(proposal: Proposal) -> str:
        return proposal.place_id

    @staticmethod
    def resolve_place_name(proposal: Proposal) -> str:
        return proposal.place.name

    @staticmethod
    def resolve_goals(proposal: Proposal) -> list[int]:
        return sorted(goal.number for goal in proposal.goals.all())

    @staticmethod
    def resolve_url(proposal: Proposal) -> str:
        # The page in the request's language (bokmål's has no language prefix).
        return reverse("proposal", args=[proposal.pk])


class ProposalIn(Schema):
    place: str = Field(..., max_length=8)
    title: str
    body: str
    goals: list[Annotated[int, Field(ge=-INTEGER_MAX, le=INTEGER_MAX)]]


class SupportOut(Schema):
    supported: bool  # whether the requester supports the proposal now
    support_count: int


def _visible(user: Any, proposal_id: int) -> Proposal:
    """The proposal with its support count, if `user` may see it; else 404."""
    found = None
    if 1 <= proposal_id <= ID_MAX:
        found = access.proposals(user).filter(pk=proposal_id).first()
    if found is None:
        raise Http404(proposal_id)
    return found


@router.get("/proposals", response={200: list[ProposalOut], 400: Error})
@paginate(BoundedLimitOffsetPagination)
def list_proposals(
    request: HttpRequest,
    place: str | None = None,
    goal: GoalNumber | None = None,
    status: str | None = None,
    sort: str = "support",
) -> QuerySet[Proposal]:
    """Proposals you may see, most supported first (`sort=new`: newest first)."""
    check_list_filters(
        sort=sort, sorts=access.ORDERINGS, status=status, statuses=Proposal.Status.values
    )
    proposals = access.proposals(auth_user(request))
    if place:
        proposals = proposals.filter(place_id=place)
    if goal is not None:
        proposals = proposals.filter(goals__number=goal)
    if status:
        proposals = proposals.filter(status=status)
    return proposals.order_by(*access.ORDERINGS[sort])


@router.get("/proposals/{id}", response={200: ProposalOut, 404: Error})
def get_proposal(request: HttpRequest, id: int) -> Any:
    return _visible(auth_user(request), id)


@router.post("/proposals", auth=bearer_only, response={201: ProposalOut, 400: Error, 403: Error})
def propose(request: HttpRequest, proposal: ProposalIn) -> Any:
    user = auth_user(request)
    if not user.has_perm("participation.propose"):
        raise ApiError(403, "forbidden", _("You may not make proposals."))
    try:
        made = do_propose(user, proposal.place, proposal.title, proposal.body, proposal.goals)
    except ParticipationError as error:
        raise ApiError(
            400,
            "invalid_proposal",
            "; ".join(error.problems),
            [{"message": problem} for problem in error.problems],
        ) from error
    return Status(201, _visible(user, made.pk))


def _support_refused(proposal: Proposal) -> ApiError:
    if proposal.hidden:
        message = _("This proposal is hidden and gathers no support.")
    elif proposal.is_decided:
        message = _("The municipality has decided on this proposal; it gathers no more support.")
    else:
        message = _("You may not support this proposal.")
    return ApiError(403, "forbidden", message)


def _change_support(request: HttpRequest, proposal_id: int, *, support: bool) -> SupportOut:
    user = auth_user(request)
    proposal = _visible(user, proposal_id)
    if not user.has_perm("participation.support", proposal):
        raise _support_refused(proposal)
    try:
        if support:
            do_support(user, proposal)
        else:
            do_withdraw_support(user, proposal)
    except ParticipationError as error:  # decided or hidden meanwhile
        raise _support_refused(Proposal.objects.get(pk=proposal.pk)) from error
    return SupportOut(
        supported=support, support_count=Support.objects.filter(proposal=proposal).count()
    )


@router.post(
    "/proposals/{id}/support",
    auth=bearer_only,
    response={200: SupportOut, 403: Error, 404: Error},
)
def support_proposal(request: HttpRequest, id: int) -> Any:
    """Support a proposal that is still open (again: no change)."""
    return _change_support(request, id, support=True)


@router.delete(
    "/proposals/{id}/support",
    auth=bearer_only,
    response={200: SupportOut, 403: Error, 404: Error},
)
def withdraw_support(request: HttpRequest, id: int) -> Any:
    """Take your support back while the proposal is open (none to take back: no change)."""
    return _change_support(request, id, support=False)


class PriorityGoalOut(Schema):
    number: int
    short: str
    chosen_by: int
    share: float | None  # of the residents who chose, 0-1
    status: str
    status_label: str
    score: float | None
    url: str


class PrioritiesOut(Schema):
    place: dict[str, str]
    participants: int
    goals: list[PriorityGoalOut]
    priorities_far_from_target: list[int]


@router.get("/places/{code}/priorities", response={200: PrioritiesOut, 404: Error})
def get_priorities(request: HttpRequest, code: str) -> Any:
    """What matters most to the municipality's residents: per goal, how many chose it,
    beside the municipality's status on it (the priorities page's data)."""
    place = Place.objects.filter(code=code, kind=Place.Kind.MUNICIPALITY).first()
    if place is None:
        raise Http404
    tiles = municipality_dashboard(place, auth_user(request))["goals"]
    return residents_priorities(place, tiles)
