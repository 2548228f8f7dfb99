"""The REST API at /api/v1/: one NinjaAPI, a router from each app's `api.py`.

Authentication: `Authorization: Bearer TOKEN` (see `sdgnet tokens create`), or the
browser's session for reads. Reads work without either and show published data only.
Every error has one shape, with a stable `code`:

    {"error": {"code": "not_found", "message": "...", "problems": [...]}}

Messages are in the request's language (`ApiLanguageMiddleware`); codes never change.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Annotated, Any, NoReturn, cast

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import BaseCache, caches
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.connection import ConnectionProxy
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from sdgnet.accounts.actions import user_for_token
from sdgnet.web.schema_problems import problem_message

# A goal number as a filter: 1-17, so that a number past what the database's integers
# hold is refused (422) instead of failing the query (500).
GoalNumber = Annotated[int, Field(ge=1, le=17)]
# The largest row id and integer the databases hold: an id past it is no object (404), a
# number past it is refused by the schema, instead of failing the query (500).
ID_MAX = 2**63 - 1
INTEGER_MAX = 2**31 - 1


def check_list_filters(
    *, sort: str, sorts: Iterable[str], status: str | None, statuses: Iterable[str]
) -> None:
    """A list's `sort` (always given) and `status` (none: every status) filters, or 400
    `invalid_filter` naming the values the list knows."""
    if sort not in sorts:
        _unknown_filter(
            "sort", sort, sorts, _("Unknown sort order “%(value)s”; use one of: %(allowed)s.")
        )
    if status and status not in statuses:
        _unknown_filter(
            "status", status, statuses, _("Unknown status “%(value)s”; use one of: %(allowed)s.")
        )


def _unknown_filter(field: str, value: str, allowed: Iterable[str], message: str) -> NoReturn:
    text = message % {"value": value, "allowed": ", ".join(allowed)}
    raise ApiError(400, "invalid_filter", text, [{"field": field, "message": text}])


class Problem(Schema):
    index: int | None = None  # the row's position in the request's list, from 0
    field: str | None = None
    message: str


class ErrorBody(Schema):
    code: str
    message: str
    problems: list[Problem] = []


class Error(Schema):
    error: ErrorBody


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, problems: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.problems = problems or []


class BearerOrSession(HttpBearer):
    """A bearer token when one is sent (a wrong one is refused), else the session's
    user, else an anonymous user: reads are open, what they show depends on the user."""

    def __call__(self, request: HttpRequest) -> Any:
        if request.headers.get("Authorization"):
            return super().__call__(request)
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else AnonymousUser()

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class BearerOnly(HttpBearer):
    """Writes need a bearer token: no session, so no CSRF question."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


def auth_user(request: HttpRequest) -> Any:
    """The user an API request acts as (anonymous when none)."""
    return getattr(request, "auth", None) or AnonymousUser()


bearer_or_session = BearerOrSession()
bearer_only = BearerOnly()


def _authenticated(request: HttpRequest) -> bool:
    auth = getattr(request, "auth", None)
    return auth is not None and bool(getattr(auth, "is_authenticated", False))


# Clients share this many lock files (by a hash of their key), so that one client's
# requests wait for each other but seldom for another client's.
THROTTLE_LOCKS = 64


@cache
def _lock_folder() -> Path:
    folder = Path(str(settings.CACHES["throttle"]["LOCATION"])) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class SharedThrottle(SimpleRateThrottle):
    """A throttle whose count is read, added to and written back under a lock that every
    worker process takes: ninja reads a client's request history from the cache and
    writes it back, so two workers answering the same client at once each wrote their
    own history and one request went uncounted (8 clients at once got 1,547 of 2,500
    requests through a limit of 600 a minute). The counts live in a cache of their own."""

    # As django.core.cache.cache is for the default cache (a proxy to each thread's own).
    cache = cast(BaseCache, ConnectionProxy(caches, "throttle"))

    def allow_request(self, request: HttpRequest) -> bool:
        key = self.get_cache_key(request)
        if key is None:  # not this throttle's kind of client
            return True
        stripe = int(hashlib.sha256(key.encode()).hexdigest(), 16) % THROTTLE_LOCKS
        with (_lock_folder() / f"{stripe}.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            return bool(super().allow_request(request))


class AnonymousThrottle(SharedThrottle):
    """Anonymous readers, counted per client address. (ninja's own AnonRateThrottle
    skips any request with an auth object, and reads give anonymous visitors one.)"""

    scope = "anon"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        if _authenticated(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class UserThrottle(SharedThrottle):
    """Signed-in users and token holders, counted per account wherever they call from."""

    scope = "user"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        if not _authenticated(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}  # type: ignore[attr-defined]


api = NinjaAPI(
    title="sdgnet API",
    version="1",
    description=(
        "Open data of the sdgnet network: the SDG catalog, frameworks, places, peer groups, "
        "observations and scores. Writes need `Authorization: Bearer TOKEN`."
    ),
    urls_namespace="api-v1",
    auth=bearer_or_session,
    throttle=[
        AnonymousThrottle(settings.SDGNET_API_ANON_RATE),
        UserThrottle(settings.SDGNET_API_USER_RATE),
    ],
)


def error_response(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    problems: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    return api.create_response(
        request,
        {"error": {"code": code, "message": message, "problems": problems or []}},
        status=status,
    )


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(request, exc.status, exc.code, exc.message, exc.problems)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", _("No such object, or not yours to see."))


@api.exception_handler(AuthenticationError)
def _unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(
        request, 401, "unauthorized", _("A valid API token is required (Authorization: Bearer).")
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = [
        {
            "index": next((p for p in error.get("loc", ()) if isinstance(p, int)), None),
            "field": ".".join(str(p) for p in error.get("loc", ()) if not isinstance(p, int))
            or None,
            "message": problem_message(error),
        }
        for error in exc.errors
    ]
    return error_response(
        request, 422, "invalid_request", _("The request does not match the schema."), problems
    )


def _http_error_messages() -> dict[int, str]:
    return {
        400: _("The request body could not be read."),
        401: _("A valid API token is required (Authorization: Bearer)."),
        403: _("You may not do this."),
        405: _("This route does not take this method."),
        429: _("Too many requests; slow down."),
    }


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """django-ninja's own refusals (400 "Cannot parse request body", 403 "CSRF check
    Failed") carry English texts of its own; our code raises ApiError. So the message is
    chosen by the status, in the request's language."""
    codes = {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        405: "method_not_allowed",
        429: "rate_limited",
    }
    message = _http_error_messages().get(exc.status_code, _("The request could not be answered."))
    return error_response(request, exc.status_code, codes.get(exc.status_code, "error"), message)


def _throttled(request: HttpRequest, exc: Any) -> HttpResponse:
    response = error_response(request, 429, "rate_limited", _("Too many requests; slow down."))
    wait = getattr(exc, "wait", None)
    if wait:
        response["Retry-After"] = str(int(wait) + 1)
    return response


def _register_routers() -> None:
    from ninja.errors import Throttled

    from sdgnet.catalog.api import router as catalog_router
    from sdgnet.network.api import router as network_router
    from sdgnet.observations.api import router as observations_router
    from sdgnet.participation.api import router as participation_router
    from sdgnet.partners.api import router as partners_router
    from sdgnet.places.api import router as places_router
    from sdgnet.projects.api import router as projects_router
    from sdgnet.scores.api import router as scores_router

    api.add_exception_handler(Throttled, _throttled)
    api.add_router("", catalog_router)
    api.add_router("", places_router)
    api.add_router("", observations_router)
    api.add_router("", scores_router)
    api.add_router("", network_router)
    api.add_router("", projects_router)
    api.add_router("", participation_router)
    api.add_router("", partners_router)


_register_routers()


API_PREFIX = "/api/v1/"  # where the API answers (web/urls.py routes it there)


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other path under /api/v1/ answers in the API's error format."""
    return error_response(request, 404, "not_found", _("No such API route."))


class ApiMethodNotAllowedMiddleware:
    """django-ninja answers a method a route lacks with plain text; give it the API's
    error format like every other error."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        if (
            response.status_code == 405
            and request.path_info.startswith(API_PREFIX)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            allowed = response.get("Allow")
            response = error_response(
                request, 405, "method_not_allowed", _("This route does not take this method.")
            )
            if allowed:
                response["Allow"] = allowed
        return response


class ApiLanguageMiddleware:
    """The API answers in the request's language: the language cookie the language button
    sets, else `Accept-Language`, else bokmål (the site's default). /api/v1/ is not under a
    language prefix, so LocaleMiddleware would always pick bokmål for it, as it does for
    the site's unprefixed pages. Placed after LocaleMiddleware and before every other
    middleware that may answer an API request, so every message of it (errors, summaries,
    the importer's problems, the actions' refusals) is worded in one language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        language = translation.get_language_from_request(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
        # LocaleMiddleware would name the language active after this one returns.
        response.headers["Content-Language"] = language
        # One address, two languages: shared caches must tell the answers apart.
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response
