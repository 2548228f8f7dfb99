from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from sdgnet.accounts.access import permission_page
from sdgnet.catalog.access import default_framework
from sdgnet.catalog.actions import EntryUpdate, do_update_framework_entry
from sdgnet.catalog.forms import FrameworkEntryForm
from sdgnet.catalog.models import Framework, FrameworkIndicator, Goal
from sdgnet.catalog.specs import entry_problems
from sdgnet.catalog.u4ssc import classification
from sdgnet.dashboards.access import goal_info
from sdgnet.dashboards.overview import national_goal
from sdgnet.dashboards.page_charts import national_goal_chart
from sdgnet.dashboards.views import Page, respond
from sdgnet.projects.access import visible_projects


def _other_frameworks(goal: Goal, shown: Framework | None) -> list[dict[str, Any]]:
    """Every framework but the one whose indicators the goal page shows, each with its
    entries linked to the goal (as their goal or among several), in the framework's order;
    the frameworks without any are left out. One query."""
    entries = (
        FrameworkIndicator.objects.filter(Q(goal=goal) | Q(goals=goal))
        .exclude(framework=shown)
        .select_related("framework", "indicator")
        .order_by("framework_id", "position", "pk")
        .distinct()
    )
    frameworks: dict[str, dict[str, Any]] = {}
    for entry in entries:
        framework = entry.framework
        if framework.slug not in frameworks:
            frameworks[framework.slug] = {
                "slug": framework.slug,
                "name": framework.name,
                "scored": framework.scored,
                "url": reverse("framework", args=[framework.slug]),
                "classified": False,
                "entries": [],
            }
        group = frameworks[framework.slug]
        row = {
            "indicator": entry.indicator_id,
            "name": entry.indicator.name,
            "url": f"{group['url']}#entry-{entry.indicator_id}",
            **classification(entry),
        }
        group["classified"] |= bool(entry.dimension or entry.category or entry.tier)
        group["entries"].append(row)
    return list(frameworks.values())


def _goal_with_neighbours(number: int) -> tuple[Goal, Goal | None, Goal | None]:
    """The goal, with `public_projects`: how many library projects on it everyone may see
    (the page is cached for every anonymous visitor alike); and the goals before and after
    it, for the pager. One query."""
    public = visible_projects(AnonymousUser())
    goals = {
        goal.number: goal
        for goal in Goal.objects.filter(number__in=[number - 1, number, number + 1]).annotate(
            public_projects=Count("projects", filter=Q(projects__in=public))
        )
    }
    if number not in goals:
        raise Http404(number)
    return goals[number], goals.get(number - 1), goals.get(number + 1)


def _library(goal: Goal) -> dict[str, Any]:
    """The library's list of the projects on the goal, and how many everyone may see."""
    return {
        "url": reverse("library") + "?" + urlencode({"goal": goal.number}),
        "projects": goal.public_projects,  # type: ignore[attr-defined]
    }


def goal_detail(request: HttpRequest, number: int) -> HttpResponse:
    def build() -> Page:
        goal, previous, following = _goal_with_neighbours(number)
        data = national_goal(goal)
        data["other_frameworks"] = _other_frameworks(goal, default_framework())
        data["library"] = _library(goal)

        def extra() -> dict[str, Any]:
            return {
                "previous": previous,
                "next": following,
                "history_svg": national_goal_chart(data),
            }

        return Page("catalog/goal_detail.html", data, extra=extra)

    # The library count changes with the projects: the cached page must follow them.
    return respond(request, build, with_library=True)


def _framework(framework: Framework, indicators: int) -> dict[str, Any]:
    return {
        "slug": framework.slug,
        "name": framework.name,
        "version": framework.version,
        "description": framework.description,
        "indicators": indicators,
        "scored": framework.scored,
        "is_default": framework.is_default,
        "url": reverse("framework", args=[framework.slug]),
    }


def framework_list(request: HttpRequest) -> HttpResponse:
    """Every framework: what it is, how many indicators, whether it is scored."""

    def build() -> Page:
        frameworks = Framework.objects.annotate(entry_count=Count("entries"))
        return Page(
            "catalog/frameworks.html",
            {"frameworks": [_framework(f, f.entry_count) for f in frameworks]},
        )

    return respond(request, build)


def _entry(entry: FrameworkIndicator) -> dict[str, Any]:
    return {
        "indicator": entry.indicator_id,
        "name": entry.indicator.name,
        "url": reverse("indicator", args=[entry.indicator_id]),
        "unit": entry.indicator.unit,
        "position": entry.position,
        "direction": entry.direction,
        "direction_label": str(entry.get_direction_display()),
        "scored": entry.is_scored,
        "best": entry.best,
        "worst": entry.worst,
        "green": entry.green,
        "red": entry.red,
        "target_value": entry.target_value,
        "target_year": entry.target_year,
        "weight": entry.weight,
        "in_index": entry.in_index,
        "goals": [goal_info(goal) for goal in _goals_of(entry)],
    }


def _goals_of(entry: FrameworkIndicator) -> list[Goal]:
    """Every goal the entry is linked to, its goal first: those the framework file links
    it to (`goals`) and its goal, which a network admin may have changed since."""
    others = [goal for goal in entry.goals.all() if goal.number != entry.goal_id]
    return ([entry.goal] if entry.goal is not None else []) + others


def _by_goal(entries: list[FrameworkIndicator], *, checked: bool) -> list[dict[str, Any]]:
    """The entries under their goals (goal order; in each, the framework's order), those
    without a goal last; `checked`: each with why the scoring engine refuses it."""
    groups: dict[int | None, dict[str, Any]] = {}
    for entry in entries:
        goal = entry.goal
        if goal is not None and goal.number not in groups:
            groups[goal.number] = {
                "number": goal.number,
                "short": goal.short,
                "colour": goal.colour,
                "text_colour": goal.text_colour,
                "url": reverse("goal", args=[goal.number]),
                "entries": [],
            }
        elif goal is None and None not in groups:
            groups[None] = {"number": None, "short": _("Without a goal"), "entries": []}
        row = _entry(entry)
        if checked:
            row["problems"] = [
                message for messages in entry_problems(entry).values() for message in messages
            ]
        groups[goal.number if goal is not None else None]["entries"].append(row)
    return sorted(groups.values(), key=lambda g: (g["number"] is None, g["number"] or 0))


def framework_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A framework's entries by goal, each with how it is scored; for those who may edit
    it, each entry the scoring engine refuses is flagged with why."""

    def build() -> Page:
        framework = get_object_or_404(Framework, slug=slug)
        entries = list(
            framework.entries.select_related("indicator", "goal")
            .prefetch_related("goals")
            .order_by("position", "pk")
        )
        may_edit = request.user.has_perm("catalog.edit_framework", framework)
        goals = _by_goal(entries, checked=may_edit)
        data = {"framework": _framework(framework, len(entries)), "goals": goals}
        if may_edit:
            data["unscorable"] = [
                entry for goal in goals for entry in goal["entries"] if entry["problems"]
            ]
        return Page("catalog/framework.html", data, extra=lambda: {"may_edit": may_edit})

    return respond(request, build)


@permission_page("catalog.edit_framework")
def framework_entry_edit(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    entry = get_object_or_404(
        FrameworkIndicator.objects.select_related("framework", "indicator", "goal"),
        framework_id=slug,
        indicator_id=key,
    )
    if request.method == "POST":
        form = FrameworkEntryForm(request.POST)
        if form.is_valid():
            try:
                update = do_update_framework_entry(request.user, entry, form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _saved(update))
                url = reverse("framework", args=[slug])
                return redirect(f"{url}#entry-{key}")
    else:
        form = FrameworkEntryForm(initial=FrameworkEntryForm.initial_of(entry))
    # An entry saved before the engine's rules were checked: what is wrong with it now.
    saved_problems = [
        (form.fields[field].label if field in form.fields else "", message)
        for field, field_messages in entry_problems(entry).items()
        for message in field_messages
    ]
    return render(
        request,
        "catalog/framework_entry_form.html",
        {"entry": entry, "form": form, "saved_problems": saved_problems},
    )


def _saved(update: EntryUpdate) -> str:
    name = update.entry.indicator.name
    if not update.changed:
        return _("Nothing changed for %(name)s.") % {"name": name}
    saved = _("Saved the changes to %(name)s.") % {"name": name}
    if update.unscorable:
        return (
            saved
            + " "
            + _(
                "The scores were not recomputed: the scoring engine refuses %(entries)s. "
                "Correct them and the scores are recomputed."
            )
            % {
                "entries": ", ".join(
                    f"{entry.indicator.name} ({entry.framework.name})"
                    for entry in update.unscorable
                )
            }
        )
    if update.rescored:
        return saved + " " + _("The scores have been recomputed by the new rules.")
    return saved
