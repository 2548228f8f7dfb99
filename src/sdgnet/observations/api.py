"""API: observations (read, scoped by embargo; write in bulk with a token) and the
embargoed imports waiting to be published."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from sdgnet.accounts.rules import is_network_admin, place_of
from sdgnet.observations.access import batch_places, embargoed_batches, visible_observations
from sdgnet.observations.actions import PublishError, do_import_raw_rows, do_publish_batch
from sdgnet.observations.models import ImportBatch, Observation
from sdgnet.observations.readers import RawRow
from sdgnet.web.api import ApiError, Error, auth_user, bearer_only
from sdgnet.web.pagination import BoundedLimitOffsetPagination

router = Router(tags=["observations"])

MAX_ROWS = 10_000


class ObservationOut(Schema):
    place: str
    indicator: str
    year: int
    value: float | None
    flags: str
    source: str
    batch: int
    embargoed: bool
    updated_at: Any

    @staticmethod
    def resolve_place(obs: Observation) -> str:
        return obs.place_id

    @staticmethod
    def resolve_indicator(obs: Observation) -> str:
        return obs.indicator_id

    @staticmethod
    def resolve_batch(obs: Observation) -> int:
        return obs.batch_id


class ObservationFilters(Schema):
    place: str | None = Field(None, max_length=8)
    indicator: str | None = Field(None, max_length=80)
    goal: int | None = Field(None, ge=1, le=17)
    year: int | None = Field(None, ge=0, le=32767)
    year_from: int | None = Field(None, ge=0, le=32767)
    year_to: int | None = Field(None, ge=0, le=32767)


class ObservationIn(Schema):
    place: str = Field(..., max_length=8, examples=["3201"])
    indicator: str = Field(..., max_length=80)
    year: int = Field(..., ge=0, le=32767)
    value: float | None = Field(..., allow_inf_nan=False)
    flags: str = Field("", max_length=60)


class WriteOptions(Schema):
    source: str = Field("", max_length=300, description="where the values come from")
    embargoed: bool = Field(False, description="hold the values unpublished until published")


class ImportOut(Schema):
    batch: int | None
    created: int
    changed: int
    unchanged: int
    embargoed: bool


class BatchOut(Schema):
    id: int
    source: str
    file_name: str
    created_at: Any
    created_by: str | None
    rows_created: int
    rows_changed: int
    embargoed: bool
    published_at: Any | None

    @staticmethod
    def resolve_created_by(batch: ImportBatch) -> str | None:
        return batch.created_by.get_username() if batch.created_by else None


class PublishOut(Schema):
    batch: int
    published: int


@router.get("/observations", response=list[ObservationOut])
@paginate(BoundedLimitOffsetPagination)
def list_observations(
    request: HttpRequest, filters: Query[ObservationFilters]
) -> QuerySet[Observation]:
    """Observations you may see: published ones, and your municipality's embargoed ones."""
    observations = visible_observations(auth_user(request))
    if filters.place:
        observations = observations.filter(place_id=filters.place)
    if filters.indicator:
        observations = observations.filter(indicator_id=filters.indicator)
    if filters.goal is not None:
        observations = observations.filter(indicator__entries__goal_id=filters.goal).distinct()
    if filters.year is not None:
        observations = observations.filter(year=filters.year)
    if filters.year_from is not None:
        observations = observations.filter(year__gte=filters.year_from)
    if filters.year_to is not None:
        observations = observations.filter(year__lte=filters.year_to)
    return observations.order_by("place_id", "indicator_id", "year")


def _writer_scope(user: Any) -> str | None:
    """The municipality a token user writes for (None: any, for network admins)."""
    if is_network_admin(user):
        return None
    scope = place_of(user)
    if scope is None:
        raise ApiError(403, "forbidden", _("Only editors, municipality and network admins write."))
    return scope


@router.post(
    "/observations",
    auth=bearer_only,
    response={201: ImportOut, 200: ImportOut, 400: Error, 403: Error},
    summary="Write observations: all rows or none",
)
def create_observations(
    request: HttpRequest, rows: list[ObservationIn], options: Query[WriteOptions]
) -> Any:
    """Every row is checked first. Rows for any municipality but your own are refused;
    one bad row and nothing is written, with every problem named by its index and field.
    Messages are in the request's language, as all of the API's (`Accept-Language: en` for
    English; bokmål, the site's default, otherwise); `code`, `index` and `field` are the
    same in every language."""
    user = auth_user(request)
    scope = _writer_scope(user)
    if len(rows) > MAX_ROWS:
        raise ApiError(
            400, "too_many_rows", _("At most %(limit)s rows per request.") % {"limit": MAX_ROWS}
        )
    raw = [
        RawRow(
            line=index + 1,
            place=row.place,
            indicator=row.indicator,
            year=str(row.year),
            value="" if row.value is None else repr(row.value),
            flags=row.flags or None,
        )
        for index, row in enumerate(rows)
    ]
    report = do_import_raw_rows(
        raw,
        source=options.source or f"API ({user.get_username()})",
        file_name="api",
        user=user,
        place_scope=scope,
        embargoed=options.embargoed,
    )
    if report.problems:
        raise ApiError(
            400,
            "invalid_rows",
            ngettext(
                "%(count)s problem; nothing was written.",
                "%(count)s problems; nothing was written.",
                len(report.problems),
            )
            % {"count": len(report.problems)},
            [
                {
                    "index": problem.line - 1 if problem.line is not None else None,
                    "field": problem.column,
                    "message": problem.message,
                }
                for problem in report.problems
            ],
        )
    body = {
        "batch": report.batch_id,
        "created": report.created,
        "changed": report.changed,
        "unchanged": report.unchanged,
        "embargoed": options.embargoed,
    }
    return Status(201 if report.batch_id is not None else 200, body)


@router.get("/batches/embargoed", response=list[BatchOut], summary="Imports awaiting publication")
@paginate(BoundedLimitOffsetPagination)
def list_embargoed_batches(request: HttpRequest) -> QuerySet[ImportBatch]:
    return embargoed_batches(auth_user(request)).select_related("created_by").order_by("-pk")


@router.post(
    "/batches/{batch_id}/publish",
    auth=bearer_only,
    response={200: PublishOut, 403: Error, 404: Error, 409: Error},
)
def publish_batch(request: HttpRequest, batch_id: int) -> Any:
    user = auth_user(request)
    batch = embargoed_batches(user).filter(pk=batch_id).first()
    if batch is None:
        raise ApiError(404, "not_found", _("No such embargoed import, or not yours to see."))
    if not all(user.has_perm("observations.publish_batch", p) for p in batch_places(batch)):
        raise ApiError(403, "forbidden", _("Only a municipality or network admin publishes."))
    try:
        count = do_publish_batch(batch, user=user)
    except PublishError as error:
        # Worded by the action in the request's language (ApiLanguageMiddleware).
        raise ApiError(409, "not_embargoed", str(error)) from error
    return {"batch": batch.pk, "published": count}
