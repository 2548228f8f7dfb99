"""Editing pages: upload a file (preview, then confirm), enter a value, publish an
embargoed import, download the observations you may see."""

from __future__ import annotations

import csv
import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sdgnet.accounts.access import permission_page
from sdgnet.accounts.rules import is_municipality_admin, is_network_admin, place_of
from sdgnet.catalog.models import Indicator
from sdgnet.observations.access import batch_places, embargoed_batches
from sdgnet.observations.actions import (
    PublishError,
    do_import_observations,
    do_import_raw_rows,
    do_import_rows,
    do_publish_batch,
)
from sdgnet.observations.exports import EXPORT_COLUMNS, observation_rows
from sdgnet.observations.forms import ConfirmForm, TypedValue, UploadForm, ValueForm
from sdgnet.observations.readers import RawRow
from sdgnet.observations.uploads import (
    preview_sample,
    remove_stale,
    save_checked,
    take_checked,
)
from sdgnet.web.templatetags.sdgnet_format import exact_number

SESSION_KEY = "sdgnet_uploads"


def upload_dir() -> Path:
    path = Path(settings.DATA_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _scope(request: HttpRequest, requested: str | None) -> str | None:
    """The municipality the user writes for: their own (editors, municipality admins),
    or the one a network admin names (None: any)."""
    user = request.user
    if is_network_admin(user):
        return requested or None
    own = place_of(user)
    if own is None:
        raise PermissionDenied
    return own


@permission_page("observations.enter_data")
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        suffix = Path(uploaded.name).suffix.lower()
        if suffix not in settings.SDGNET_UPLOAD_SUFFIXES:
            problems.append(_("Only .csv, .xlsx and .json files can be imported."))
        if uploaded.size > settings.SDGNET_UPLOAD_MAX_BYTES:
            problems.append(
                _("The file is larger than %(mb)s MB.")
                % {"mb": settings.SDGNET_UPLOAD_MAX_BYTES // (1024 * 1024)}
            )
        if not problems:
            scope = _scope(request, form.cleaned_data["place"])
            remove_stale(upload_dir(), time.time())
            key = secrets.token_hex(16)
            path = upload_dir() / f"{key}{suffix}"
            with path.open("wb") as handle:
                for chunk in uploaded.chunks():
                    handle.write(chunk)
            entry = {
                "checked": str(upload_dir() / f"{key}.json"),
                "name": Path(uploaded.name).name[:200],
                "source": form.cleaned_data["source"],
                "indicator": form.cleaned_data["indicator"] or None,
                "place": scope,
                "embargoed": form.cleaned_data["embargoed"],
            }
            try:
                report = do_import_observations(
                    path,
                    source=entry["source"],
                    default_indicator=entry["indicator"],
                    user=request.user,
                    dry_run=True,
                    file_name=entry["name"],
                    place_scope=scope,
                    embargoed=entry["embargoed"],
                )
                if report.ok:
                    # The confirmation writes these rows, the ones the sample shows; the file
                    # itself is not needed again.
                    save_checked(report, Path(entry["checked"]))
            finally:
                path.unlink(missing_ok=True)
            context: dict[str, Any] = {"report": report, "upload": None}
            if report.ok:
                pending = request.session.get(SESSION_KEY, {})
                pending[key] = entry
                request.session[SESSION_KEY] = pending
                context |= {
                    "upload": key,
                    "pending": entry,
                    "sample": preview_sample(report.rows),
                }
            return render(request, "observations/preview.html", context)
    return render(request, "observations/upload.html", {"form": form, "problems": problems})


@require_POST
@permission_page("observations.enter_data")
def confirm_upload(request: HttpRequest) -> HttpResponse:
    form = ConfirmForm(request.POST)
    pending = request.session.get(SESSION_KEY, {})
    if not form.is_valid() or form.cleaned_data["upload"] not in pending:
        raise Http404
    entry = pending.pop(form.cleaned_data["upload"])
    request.session[SESSION_KEY] = pending
    # Used once: what the preview kept goes, whether it is written or not, and only one
    # of two confirmations of the same preview gets it. ("path" is the file an entry made
    # before previews kept their rows; such an entry is sent again, as one whose rows are
    # gone.)
    checked = take_checked(Path(entry["checked"])) if "checked" in entry else None
    if "path" in entry:
        Path(entry["path"]).unlink(missing_ok=True)
    if checked is None:
        raise Http404
    # The rows the preview showed are written, not the file read again. The scope is
    # checked again: a role may have changed since the preview.
    scope = _scope(request, entry["place"])
    report = do_import_rows(
        checked.rows,
        source=entry["source"].strip(),
        file_name=entry["name"],
        user=request.user,
        place_scope=scope,
        embargoed=entry["embargoed"],
        file_format=checked.file_format,
        file_sha256=checked.file_sha256,
        rows_read=checked.rows_read,
    )
    if not report.ok:
        return render(request, "observations/preview.html", {"report": report, "upload": None})
    messages.success(
        request,
        _("Imported: %(created)s new, %(changed)s changed, %(unchanged)s unchanged.")
        % {"created": report.created, "changed": report.changed, "unchanged": report.unchanged},
    )
    return redirect("enter_value")


@permission_page("observations.enter_data")
def enter_value(request: HttpRequest) -> HttpResponse:
    own = place_of(request.user)
    form = ValueForm(request.POST or None, initial={"place": own or ""})
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        scope = _scope(request, data["place"])
        report = do_import_raw_rows(
            [
                RawRow(
                    line=1,
                    place=data["place"],
                    indicator=data["indicator"],
                    year=str(data["year"]),
                    value=data["value"].text,
                )
            ],
            source=data["source"],
            file_name="form",
            user=request.user,
            place_scope=scope if scope is not None else None,
            embargoed=data["embargoed"],
        )
        if report.ok:
            messages.success(request, _saved(data))
            return redirect("enter_value")
        problems = [problem.message for problem in report.problems]
    return render(request, "observations/enter_value.html", {"form": form, "problems": problems})


def _saved(data: dict[str, Any]) -> str:
    """The confirmation, with the number as it was read, written as the page's language
    writes numbers, so a misread value is seen at once."""
    typed: TypedValue = data["value"]
    indicator = Indicator.objects.get(key=data["indicator"])
    where = {"indicator": indicator.name, "place": data["place"], "year": data["year"]}
    if typed.number is None:
        return _("Saved as missing: %(indicator)s, %(place)s, %(year)s.") % where
    return _("Saved: %(value)s for %(indicator)s, %(place)s, %(year)s.") % {
        "value": exact_number(typed.number),
        **where,
    }


def may_publish(user: Any, places: list[str]) -> bool:
    """Publishing needs the right for every municipality in the import."""
    return bool(places) and all(user.has_perm("observations.publish_batch", p) for p in places)


@permission_page("observations.review_embargo")
def embargoed(request: HttpRequest) -> HttpResponse:
    """The unpublished imports the user may see (an editor: their municipality's), each
    with a Publish button where the user may publish it."""
    batches = list(embargoed_batches(request.user).select_related("created_by"))
    rows: list[dict[str, Any]] = []
    for batch in batches:
        places = sorted(batch_places(batch))
        rows.append(
            {
                "batch": batch,
                "places": places,
                "may_publish": may_publish(request.user, places),
            }
        )
    return render(
        request,
        "observations/embargoed.html",
        {
            "rows": rows,
            "publishes": is_network_admin(request.user) or is_municipality_admin(request.user),
        },
    )


@require_POST
@permission_page("observations.review_embargo")
def publish(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = embargoed_batches(request.user).filter(pk=batch_id).first()
    if batch is None:
        raise Http404
    if not may_publish(request.user, sorted(batch_places(batch))):
        raise PermissionDenied
    try:
        count = do_publish_batch(batch, user=request.user)
    except PublishError as error:
        raise Http404 from error
    messages.success(request, _("Published %(count)s values.") % {"count": count})
    return redirect("embargoed")


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """All observations the user may see, as CSV (published ones for most users)."""
    writer = csv.writer(_Echo())
    rows = (
        writer.writerow(["" if cell is None else cell for cell in row])
        for row in observation_rows(request.user)
    )
    header = writer.writerow(EXPORT_COLUMNS)
    response = StreamingHttpResponse(
        (line for part in ([header], rows) for line in part), content_type="text/csv"
    )
    response["Content-Disposition"] = 'attachment; filename="sdgnet-observations.csv"'
    return response
