from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found

from sdgnet.dashboards.overview import home_page
from sdgnet.dashboards.views import Page, respond


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def home(request: HttpRequest) -> HttpResponse:
    return respond(request, lambda: Page("web/home.html", home_page(request.GET.get("q", ""))))


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A missing page asked for as `?format=json` answers JSON in the API's error shape,
    so that a script reading a page's data gets no HTML; every other one the 404 page."""
    if request.GET.get("format") == "json":
        message = _(
            "There is no page at this address, or you may not see it. Check the address,"
            " or start again from the home page."
        )
        return JsonResponse({"error": {"code": "not_found", "message": message}}, status=404)
    return page_not_found(request, exception)
