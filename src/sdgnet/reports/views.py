"""The council report: an HTML page with its JSON twin (served and cached as every data page
is, by `dashboards.views.respond`) and the same content as a PDF."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from sdgnet.dashboards.views import PAGE_TTL, Page, or_moved, page_cache_key, respond
from sdgnet.places.models import Place
from sdgnet.reports.pdf import (
    PANGO_PACKAGES,
    PdfUnavailable,
    ascii_file_name,
    page_margin_css,
    render_pdf,
)
from sdgnet.reports.report import council_report


def _municipality(code: str) -> Place:
    return get_object_or_404(
        Place.objects.select_related("parent"), code=code, kind=Place.Kind.MUNICIPALITY
    )


def _print_context(data: dict[str, Any]) -> dict[str, Any]:
    # Built from escaped CSS strings (pdf.css_string), so safe inside <style>.
    return {"page_css": mark_safe(page_margin_css(data["place"]["name"], data["year"]))}


def council_report_page(request: HttpRequest, code: str) -> HttpResponse:
    def build() -> Page:
        data = council_report(_municipality(code), request.user)
        return Page("reports/report.html", data, extra=lambda: _print_context(data))

    # The report lists the municipality's library projects: cached pages follow the library.
    # An old or shortened number moves to today's, as the municipality page does.
    return or_moved(
        request, lambda: respond(request, build, with_library=True), code, "council-report"
    )


def council_report_pdf(request: HttpRequest, code: str) -> HttpResponse:
    return or_moved(request, lambda: _pdf(request, code), code, "council-report-pdf")


def _pdf(request: HttpRequest, code: str) -> HttpResponse:
    # The page cache's key (anonymous visitors only): it changes with every rescore,
    # membership decision and library change, so a cached PDF is never older than its data.
    key = page_cache_key(request, with_library=True)
    if key is not None and (hit := cache.get(key)) is not None:
        return _pdf_response(*hit)
    data = council_report(_municipality(code), request.user)
    html = render_to_string(
        "reports/report_pdf.html", {"data": data, "for_pdf": True, **_print_context(data)}
    )
    try:
        pdf = render_pdf(html, base_url=request.build_absolute_uri())
    except PdfUnavailable:
        return render(
            request,
            "reports/pdf_unavailable.html",
            {"packages": PANGO_PACKAGES, "report_url": data["urls"]["report"]},
            status=503,
        )
    name = ascii_file_name(
        gettext("sustainability-report"), data["place"]["code"], data["place"]["name"]
    )
    file_name = f"{name}-{data['year']}.pdf" if data["year"] else f"{name}.pdf"
    if key is not None:
        cache.set(key, (pdf, file_name), PAGE_TTL)
    return _pdf_response(pdf, file_name)


def _pdf_response(pdf: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response
