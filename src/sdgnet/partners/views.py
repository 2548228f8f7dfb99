"""Pledge pages; each list and pledge has a JSON twin (`?format=json`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sdgnet.catalog.models import FrameworkIndicator
from sdgnet.dashboards.municipality import place_goal
from sdgnet.dashboards.views import or_moved
from sdgnet.partners import actions
from sdgnet.partners.access import pledges
from sdgnet.partners.forms import HideForm, PledgeForm, ProgressForm
from sdgnet.partners.models import Pledge
from sdgnet.partners.rules import organisation_of
from sdgnet.places.models import Place
from sdgnet.projects.markdown import render_markdown
from sdgnet.web.goal_lists import Ordering, goal_list
from sdgnet.web.timestamps import json_time

# How a list may be sorted: newest first, or the soonest due first.
ORDERINGS = {"new": ("-created_at", "-pk"), "due": ("due_year", "-created_at", "-pk")}
SORTS = {
    "new": Ordering(gettext_lazy("newest"), ORDERINGS["new"]),
    "due": Ordering(gettext_lazy("soonest due"), ORDERINGS["due"]),
}


def pledge_record(pledge: Pledge) -> dict[str, Any]:
    """A pledge as its JSON twin and the API show it: the organisation, never the person."""
    return {
        "id": pledge.pk,
        "organisation": pledge.organisation,
        "place": pledge.place_id,
        "place_name": pledge.place.name,
        "title": pledge.title,
        "description": pledge.description,
        "goals": sorted(goal.number for goal in pledge.goals.all()),
        "due_year": pledge.due_year,
        "indicator": pledge.indicator_id,
        "status": pledge.status,
        "progress": pledge.progress,
        "progress_note": pledge.progress_note,
        "progress_at": json_time(pledge.progress_at),
        "created_at": json_time(pledge.created_at),
        "hidden": pledge.hidden,
        "url": reverse("pledge", args=[pledge.pk]),
    }


def pledge_list(request: HttpRequest) -> HttpResponse:
    return _list(request, None)


def place_pledge_list(request: HttpRequest, code: str) -> HttpResponse:
    def here() -> HttpResponse:
        place = get_object_or_404(Place, code=code, kind=Place.Kind.MUNICIPALITY)
        return _list(request, place)

    return or_moved(request, here, code, "place-pledges")


def _list(request: HttpRequest, place: Place | None) -> HttpResponse:
    shown = pledges(request.user)
    if place is not None:
        shown = shown.filter(place=place)
    listed = goal_list(request, shown, Pledge.Status, SORTS, "new")
    if request.GET.get("format") == "json":
        return listed.json_response("pledges", pledge_record, place)
    return render(
        request,
        "partners/list.html",
        {
            **listed.context(),
            "place": place,
            "may_pledge": request.user.has_perm("partners.pledge"),
        },
    )


def pledge_new(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("partners.pledge"):
        raise PermissionDenied
    form = PledgeForm(request.POST or None, initial={"place": request.GET.get("place", "")})
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pledge = actions.do_pledge(
                request.user,
                data["place"],
                data["title"],
                data["description"],
                data["goals"],
                due_year=data["due_year"],
                indicator=data["indicator"],
            )
        except actions.PledgeError as error:
            problems = error.problems
        else:
            messages.success(request, _("Thank you! The pledge has been published."))
            return redirect("pledge", pk=pledge.pk)
    return render(
        request,
        "partners/new.html",
        {"form": form, "problems": problems, "organisation": organisation_of(request.user)},
    )


def _visible(request: HttpRequest, pk: int) -> Pledge:
    return get_object_or_404(pledges(request.user), pk=pk)


def pledge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = _visible(request, pk)
    if request.GET.get("format") == "json":
        return JsonResponse(pledge_record(pledge), json_dumps_params={"ensure_ascii": False})
    user = request.user
    may_report = user.has_perm("partners.report_progress", pledge)
    may_moderate = user.has_perm("partners.moderate_pledge", pledge)
    return render(
        request,
        "partners/detail.html",
        {
            "pledge": pledge,
            "description": render_markdown(pledge.description),
            "note": render_markdown(pledge.progress_note),
            "progress_form": ProgressForm(
                initial={
                    "progress": pledge.progress,
                    "status": pledge.status,
                    "note": pledge.progress_note,
                }
            )
            if may_report
            else None,
            "hide_form": HideForm() if may_moderate and not pledge.hidden else None,
            "indicator": _indicator_standing(pledge, user),
            "may_restore": may_moderate and pledge.hidden,
        },
    )


def _indicator_standing(pledge: Pledge, user: Any) -> dict[str, Any] | None:
    """The municipality's latest value, target and status on the pledge's indicator, as
    its goal page shows them."""
    if pledge.indicator_id is None:
        return None
    entry = FrameworkIndicator.objects.filter(
        framework__is_default=True, indicator_id=pledge.indicator_id
    ).first()
    if entry is None or entry.goal is None:
        return None
    page = place_goal(pledge.place, entry.goal, None, user)
    item = next((i for i in page["indicators"] if i["key"] == pledge.indicator_id), None)
    return {
        **(item or {"key": entry.indicator_id, "name": entry.indicator.name}),
        "goal_url": reverse("place-goal", args=[pledge.place_id, entry.goal_id]),
    }


@require_POST
def pledge_progress(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = _visible(request, pk)
    if not request.user.has_perm("partners.report_progress", pledge):
        raise Http404
    form = ProgressForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("pledge", pk=pledge.pk)
    data = form.cleaned_data
    try:
        actions.do_report_progress(
            request.user, pledge, data["progress"], data["note"], data["status"]
        )
    except actions.PledgeError as error:
        messages.error(request, " ".join(error.problems))
    else:
        messages.success(request, _("The progress has been saved."))
    return redirect("pledge", pk=pledge.pk)


@require_POST
def pledge_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = _visible(request, pk)
    if not request.user.has_perm("partners.moderate_pledge", pledge):
        raise Http404
    try:
        if request.POST.get("action") == "restore":
            actions.do_restore(request.user, pledge)
            messages.success(request, _("The pledge is shown again."))
        else:
            actions.do_hide(request.user, pledge, request.POST.get("reason", ""))
            messages.success(request, _("The pledge has been hidden."))
    except actions.PledgeError as error:
        messages.error(request, " ".join(error.problems))
    return redirect("pledge", pk=pledge.pk)
