"""Proposal pages; each list and proposal has a JSON twin (`?format=json`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sdgnet.dashboards.municipality import municipality_dashboard
from sdgnet.dashboards.views import or_moved
from sdgnet.participation import actions
from sdgnet.participation.access import ORDERINGS, priorities_of, proposals, supported_by
from sdgnet.participation.forms import HideForm, PriorityForm, ProposalForm, ResponseForm
from sdgnet.participation.models import Proposal
from sdgnet.participation.priorities import residents_priorities
from sdgnet.places.models import Place
from sdgnet.projects.markdown import render_markdown
from sdgnet.web.goal_lists import Ordering, goal_list
from sdgnet.web.timestamps import json_time

SORTS = {
    "support": Ordering(gettext_lazy("most supported"), ORDERINGS["support"]),
    "new": Ordering(gettext_lazy("newest"), ORDERINGS["new"]),
}


def _municipality(code: str) -> Place:
    return get_object_or_404(Place, code=code, kind=Place.Kind.MUNICIPALITY)


def _record(proposal: Any) -> dict[str, Any]:
    """A proposal as its JSON twin shows it: never who made or supported it."""
    return {
        "id": proposal.pk,
        "place": proposal.place_id,
        "place_name": proposal.place.name,
        "title": proposal.title,
        "body": proposal.body,
        "goals": sorted(goal.number for goal in proposal.goals.all()),
        "status": proposal.status,
        "support_count": proposal.support_count,
        "response": proposal.response,
        "responded_at": json_time(proposal.responded_at),
        "created_at": json_time(proposal.created_at),
        "hidden": proposal.hidden,
        "url": reverse("proposal", args=[proposal.pk]),
    }


def proposal_list(request: HttpRequest) -> HttpResponse:
    return _list(request, None)


def place_proposal_list(request: HttpRequest, code: str) -> HttpResponse:
    return or_moved(request, lambda: _list(request, _municipality(code)), code, "place-proposals")


def _list(request: HttpRequest, place: Place | None) -> HttpResponse:
    shown = proposals(request.user)
    if place is not None:
        shown = shown.filter(place=place)
    listed = goal_list(request, shown, Proposal.Status, SORTS, "support")
    if request.GET.get("format") == "json":
        return listed.json_response("proposals", _record, place)
    return render(
        request,
        "participation/list.html",
        {
            **listed.context(),
            "place": place,
            "supported": supported_by(request.user, [p.pk for p in listed.page]),
        },
    )


def proposal_new(request: HttpRequest, code: str) -> HttpResponse:
    def here() -> HttpResponse:
        place = _municipality(code)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        form = ProposalForm(request.POST or None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                proposal = actions.do_propose(
                    request.user, place.code, data["title"], data["body"], data["goals"]
                )
            except actions.ParticipationError as error:
                problems = error.problems
            else:
                messages.success(request, _("Thank you! Your proposal has been published."))
                return redirect("proposal", pk=proposal.pk)
        return render(
            request,
            "participation/new.html",
            {"place": place, "form": form, "problems": problems},
        )

    return or_moved(request, here, code, "proposal-new")


def proposal_choose(request: HttpRequest) -> HttpResponse:
    """The way to a proposal from the network-wide list: first the municipality."""
    code = request.GET.get("place", "").strip()
    if code and Place.objects.filter(code=code, kind=Place.Kind.MUNICIPALITY).exists():
        return redirect("proposal-new", code=code)
    return render(
        request,
        "participation/choose.html",
        {
            "municipalities": Place.objects.filter(kind=Place.Kind.MUNICIPALITY).order_by("name"),
            "unknown": code,
        },
    )


def _visible(request: HttpRequest, pk: int) -> Proposal:
    return get_object_or_404(proposals(request.user), pk=pk)


def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible(request, pk)
    if request.GET.get("format") == "json":
        return JsonResponse(_record(proposal), json_dumps_params={"ensure_ascii": False})
    user = request.user
    may_respond = user.has_perm("participation.respond", proposal)
    may_moderate = user.has_perm("participation.moderate", proposal)
    return render(
        request,
        "participation/detail.html",
        {
            "proposal": proposal,
            "body": render_markdown(proposal.body),
            "response": render_markdown(proposal.response),
            "supported": supported_by(user, [proposal.pk]),
            "may_support": user.has_perm("participation.support", proposal),
            "response_form": ResponseForm(
                initial={"status": proposal.status, "response": proposal.response}
            )
            if may_respond
            else None,
            "hide_form": HideForm() if may_moderate and not proposal.hidden else None,
            "may_restore": may_moderate and proposal.hidden,
            "is_author": user.is_authenticated and proposal.created_by_id == user.pk,
            "may_withdraw": user.has_perm("participation.withdraw", proposal),
        },
    )


def _back(request: HttpRequest, proposal: Proposal) -> HttpResponse:
    """Back to the page the form was on (a list or the proposal), never off the site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("proposal", pk=proposal.pk)


@require_POST
def proposal_support(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible(request, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("proposal", args=[proposal.pk]))
    try:
        if request.POST.get("action") == "withdraw":
            actions.do_withdraw_support(request.user, proposal)
            messages.success(request, _("Your support has been withdrawn."))
        else:
            actions.do_support(request.user, proposal)
            messages.success(request, _("Thank you for your support."))
    except actions.ParticipationError:
        messages.error(request, _("This proposal no longer takes support."))
    return _back(request, proposal)


@require_POST
def proposal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible(request, pk)
    if not request.user.has_perm("participation.withdraw", proposal):
        raise Http404
    try:
        actions.do_withdraw_proposal(request.user, proposal)
    except actions.ParticipationError:
        messages.error(request, _("The municipality has answered: the proposal stays."))
        return redirect("proposal", pk=proposal.pk)
    messages.success(request, _("Your proposal has been withdrawn."))
    return redirect("place-proposals", code=proposal.place_id)


@require_POST
def proposal_respond(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible(request, pk)
    if not request.user.has_perm("participation.respond", proposal):
        raise Http404
    form = ResponseForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("proposal", pk=proposal.pk)
    try:
        actions.do_respond(
            request.user,
            proposal,
            form.cleaned_data["status"],
            form.cleaned_data["response"],
            link=request.build_absolute_uri(reverse("proposal", args=[proposal.pk])),
        )
    except actions.ParticipationError as error:
        messages.error(request, " ".join(error.problems))
    else:
        messages.success(request, _("The answer has been saved."))
    return redirect("proposal", pk=proposal.pk)


@require_POST
def proposal_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible(request, pk)
    if not request.user.has_perm("participation.moderate", proposal):
        raise Http404
    try:
        if request.POST.get("action") == "restore":
            actions.do_restore(request.user, proposal)
            messages.success(request, _("The proposal is shown again."))
        else:
            actions.do_hide(request.user, proposal, request.POST.get("reason", ""))
            messages.success(request, _("The proposal has been hidden."))
    except actions.ParticipationError as error:
        messages.error(request, " ".join(error.problems))
    return redirect("proposal", pk=proposal.pk)


def place_priorities(request: HttpRequest, code: str) -> HttpResponse:
    """What matters most to the municipality's residents, beside where it stands; the
    signed-in resident chooses, changes or takes back their own choice here."""

    def here() -> HttpResponse:
        place = _municipality(code)
        if request.method == "POST":
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            return _save_priorities(request, place)
        data = residents_priorities(place, municipality_dashboard(place, request.user)["goals"])
        if request.GET.get("format") == "json":
            return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
        mine = priorities_of(request.user, place.code)
        return render(
            request,
            "participation/priorities.html",
            {
                "data": data,
                "place": place,
                "mine": mine,
                "form": PriorityForm(initial={"goals": mine})
                if request.user.is_authenticated
                else None,
            },
        )

    return or_moved(request, here, code, "place-priorities")


def _save_priorities(request: HttpRequest, place: Place) -> HttpResponse:
    if request.POST.get("action") == "clear":
        actions.do_clear_priorities(request.user, place.code)
        messages.success(request, _("Your choice has been taken back."))
        return redirect("place-priorities", code=place.code)
    form = PriorityForm(request.POST)
    if form.is_valid():
        actions.do_set_priorities(request.user, place.code, form.cleaned_data["goals"])
        messages.success(request, _("Thank you! Your priorities have been saved."))
        return redirect("place-priorities", code=place.code)
    data = residents_priorities(place, municipality_dashboard(place, request.user)["goals"])
    return render(
        request,
        "participation/priorities.html",
        {"data": data, "place": place, "mine": [], "form": form},
    )
