"""API: businesses' and organisations' pledges for the goals in a municipality, and their
progress. A user sees what the pledge pages show them (`access.pledges`): every pledge
that is not hidden, and hidden ones only for their organisation and their moderators. A
pledge is the same record as its page's JSON twin (`views.pledge_record`). Writes (a
pledge, a progress report) need a bearer token and call the same actions and rules as
the pages. A pledge names the organisation, never the person who made it."""

from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from sdgnet.partners import access
from sdgnet.partners.actions import PledgeError, do_pledge, do_report_progress
from sdgnet.partners.models import Pledge
from sdgnet.partners.rules import organisation_key
from sdgnet.partners.views import ORDERINGS, pledge_record
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

router = Router(tags=["partners"])


class PledgeOut(Schema):
    """`views.pledge_record`, field for field: the API answers with that record, so it and
    the page's JSON twin agree."""

    id: int
    organisation: str
    place: str
    place_name: str
    title: str
    description: str  # Markdown source
    goals: list[int]
    due_year: int
    indicator: str | None  # the framework indicator it works towards
    status: str
    progress: int  # percent, 0-100
    progress_note: str  # Markdown source
    progress_at: str | None  # ISO 8601, as the JSON twin writes it
    created_at: str
    hidden: bool
    url: str  # the page, in the request's language


class PledgePagination(BoundedLimitOffsetPagination):
    """The page's pledges as `pledge_record` writes them (the slice only is read)."""

    def paginate_queryset(
        self, queryset: QuerySet[Pledge], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page[self.items_attribute] = [
            pledge_record(pledge) for pledge in page[self.items_attribute]
        ]
        return page


class PledgeIn(Schema):
    place: str = Field(..., max_length=8)
    title: str
    description: str
    goals: list[Annotated[int, Field(ge=-INTEGER_MAX, le=INTEGER_MAX)]]
    due_year: int
    indicator: str = Field("", max_length=80)


class ProgressIn(Schema):
    progress: int = Field(..., ge=0, le=100)  # percent
    note: str = ""
    status: str = Pledge.Status.ACTIVE.value


def _problems(code: str, error: PledgeError) -> ApiError:
    return ApiError(
        400, code, "; ".join(error.problems), [{"message": problem} for problem in error.problems]
    )


def _visible(user: Any, pledge_id: int) -> Pledge:
    """The pledge, if `user` may see it; else 404."""
    found = None
    if 1 <= pledge_id <= ID_MAX:
        found = access.pledges(user).filter(pk=pledge_id).first()
    if found is None:
        raise Http404(pledge_id)
    return found


@router.get("/pledges", response={200: list[PledgeOut], 400: Error})
@paginate(PledgePagination)
def list_pledges(
    request: HttpRequest,
    *,
    place: str | None = None,
    goal: GoalNumber | None = None,
    status: str | None = None,
    organisation: str | None = None,
    sort: str = "new",
) -> QuerySet[Pledge]:
    """Pledges you may see, newest first (`sort=due`: the soonest due first)."""
    check_list_filters(sort=sort, sorts=ORDERINGS, status=status, statuses=Pledge.Status.values)
    pledges = access.pledges(auth_user(request))
    if "\x00" in f"{place or ''}{organisation or ''}":
        # No pledge's text holds a NUL, and PostgreSQL refuses to compare with one.
        return pledges.none()
    if place:
        pledges = pledges.filter(place_id=place)
    if goal is not None:
        pledges = pledges.filter(goals__number=goal)
    if status:
        pledges = pledges.filter(status=status)
    if organisation and organisation.strip():
        pledges = pledges.filter(organisation_key=organisation_key(organisation))
    return pledges.order_by(*ORDERINGS[sort])


@router.get("/pledges/{id}", response={200: PledgeOut, 404: Error})
def get_pledge(request: HttpRequest, id: int) -> Any:
    return pledge_record(_visible(auth_user(request), id))


@router.post("/pledges", auth=bearer_only, response={201: PledgeOut, 400: Error, 403: Error})
def make_pledge(request: HttpRequest, pledge: PledgeIn) -> Any:
    """A pledge by the organisation on your account (partners only)."""
    user = auth_user(request)
    if not user.has_perm("partners.pledge"):
        raise ApiError(
            403,
            "forbidden",
            _("Only partners with an organisation on their account may make pledges."),
        )
    try:
        made = do_pledge(
            user,
            pledge.place,
            pledge.title,
            pledge.description,
            pledge.goals,
            due_year=pledge.due_year,
            indicator=pledge.indicator,
        )
    except PledgeError as error:
        raise _problems("invalid_pledge", error) from error
    return Status(201, pledge_record(_visible(user, made.pk)))


@router.post(
    "/pledges/{id}/progress",
    auth=bearer_only,
    response={200: PledgeOut, 400: Error, 403: Error, 404: Error},
)
def report_progress(request: HttpRequest, id: int, report: ProgressIn) -> Any:
    """How far the pledge has come, and whether it is fulfilled or withdrawn (its
    organisation only)."""
    user = auth_user(request)
    pledge = _visible(user, id)
    if not user.has_perm("partners.report_progress", pledge):
        raise ApiError(
            403,
            "forbidden",
            _("Only the organisation that made the pledge may report its progress."),
        )
    try:
        do_report_progress(user, pledge, report.progress, report.note, report.status)
    except PledgeError as error:
        raise _problems("invalid_progress", error) from error
    return pledge_record(_visible(user, pledge.pk))
