from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from sdgnet.dashboards.overview import home_page
from sdgnet.dashboards.views import Page, respond


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def home(request: HttpRequest) -> HttpResponse:
    return respond(request, lambda: Page("web/home.html", home_page(request.GET.get("q", ""))))
