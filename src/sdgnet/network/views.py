from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sdgnet.accounts.access import permission_page
from sdgnet.accounts.rules import place_of
from sdgnet.catalog.models import FrameworkIndicator
from sdgnet.network import actions
from sdgnet.network.access import applications, learning_groups, local_targets, members
from sdgnet.network.forms import (
    ApplicationForm,
    LearningGroupForm,
    LearningGroupMembersForm,
    LocalTargetForm,
)
from sdgnet.network.models import LocalTarget, Membership
from sdgnet.places.models import Place
from sdgnet.projects.markdown import render_markdown


def member_list(request: HttpRequest) -> HttpResponse:
    return render(request, "network/members.html", {"members": members()})


@permission_page("network.start_application")
def apply(request: HttpRequest) -> HttpResponse:
    form = ApplicationForm(request.POST or None, initial={"place": place_of(request.user) or ""})
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_apply_for_membership(
                request.user, form.cleaned_data["place"], form.cleaned_data["motivation"]
            )
        except actions.NetworkError as error:
            problems = error.problems
        else:
            messages.success(request, _("The application has been sent."))
            return redirect("network_members")
    return render(request, "network/apply.html", {"form": form, "problems": problems})


@permission_page("network.decide_membership")
def application_list(request: HttpRequest) -> HttpResponse:
    return render(request, "network/applications.html", {"applications": applications()})


@require_POST
@permission_page("network.decide_membership")
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership, pk=pk, status=Membership.Status.APPLIED)
    actions.do_decide_membership(
        request.user, membership, approve=request.POST.get("decision") == "approve"
    )
    messages.success(request, _("The application has been decided."))
    return redirect("network_applications")


def group_list(request: HttpRequest) -> HttpResponse:
    return render(request, "network/groups.html", {"groups": learning_groups()})


def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A learning group; network admins change its members here."""
    group = get_object_or_404(learning_groups(), slug=slug)
    may_manage = request.user.has_perm("network.manage_learning_groups")
    form = None
    problems: list[str] = []
    if may_manage:
        current = [place.code for place in group.members.all()]
        form = LearningGroupMembersForm(request.POST or None, initial={"members": current})
        if request.method == "POST" and form.is_valid():
            try:
                actions.do_set_learning_group_members(
                    request.user, group, form.cleaned_data["members"]
                )
            except actions.NetworkError as error:
                problems = error.problems
            else:
                messages.success(request, _("The members have been saved."))
                return redirect("learning_group", slug=group.slug)
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "network/group_detail.html",
        {
            "group": group,
            "description": render_markdown(group.description),
            "form": form,
            "problems": problems,
        },
    )


@permission_page("network.manage_learning_groups")
def group_create(request: HttpRequest) -> HttpResponse:
    form = LearningGroupForm(request.POST or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group = actions.do_create_learning_group(
                request.user,
                data["name"],
                description=data["description"],
                goals=data["goals"],
                members=data["members"],
            )
        except actions.NetworkError as error:
            problems = error.problems
        else:
            return redirect("learning_group", slug=group.slug)
    return render(request, "network/group_form.html", {"form": form, "problems": problems})


def targets(request: HttpRequest, code: str) -> HttpResponse:
    """A municipality's own targets beside the framework's; its staff can set, change and
    remove them (a form with `remove` names the indicator whose target goes)."""
    place = get_object_or_404(Place, code=code, kind=Place.Kind.MUNICIPALITY)
    may_edit = request.user.has_perm("network.set_local_target", place)
    removing = request.method == "POST" and "remove" in request.POST
    form = LocalTargetForm(None if removing else request.POST or None)
    problems: list[str] = []
    if request.method == "POST" and not may_edit:
        raise Http404
    if removing:
        target = get_object_or_404(
            LocalTarget, place=place, indicator_id=request.POST.get("remove", "")
        )
        actions.do_delete_local_target(request.user, target)
        messages.success(
            request,
            _("The target for %(indicator)s has been removed.")
            % {"indicator": target.indicator.name},
        )
        return redirect("local_targets", code=place.code)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_set_local_target(
                request.user,
                place.code,
                data["indicator"],
                data["value"],
                year=data["year"],
                note=data["note"],
            )
        except actions.NetworkError as error:
            problems = error.problems
        else:
            messages.success(request, _("The target has been saved."))
            return redirect("local_targets", code=place.code)
    own = list(local_targets(place.code))
    framework_targets = {
        entry.indicator_id: entry
        for entry in FrameworkIndicator.objects.filter(
            framework__is_default=True, indicator_id__in=[t.indicator_id for t in own]
        )
    }
    rows = [(target, framework_targets.get(target.indicator_id)) for target in own]
    return render(
        request,
        "network/targets.html",
        {"place": place, "rows": rows, "form": form, "may_edit": may_edit, "problems": problems},
    )
