"""Library pages; each has a JSON twin (`?format=json`) served by the same code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sdgnet.accounts.rules import place_of
from sdgnet.catalog.models import Goal
from sdgnet.places.actions import SIZE_CLASSES
from sdgnet.places.models import Place
from sdgnet.projects import access, embeddings
from sdgnet.projects import rules as project_rules
from sdgnet.projects.actions import (
    MAX_REASON,
    LibraryError,
    do_add_attachment,
    do_moderate,
    do_report_project,
    do_save_project,
    do_set_published,
    export_library,
    project_record,
)
from sdgnet.projects.forms import AttachmentForm, ProjectForm, ReportForm, initial_from
from sdgnet.projects.learning import learning_summary, project_evidence, who_to_learn_from
from sdgnet.projects.markdown import render_markdown
from sdgnet.projects.models import PartnerKind, Project, Status, Visibility
from sdgnet.projects.search import SearchFilters, search_projects
from sdgnet.projects.tagging import suggest

PAGE_SIZE = 20
# Page numbers linked on either side of the current page (the first and last always are).
PAGE_LINKS_AROUND = 2
QUEUE_PAGE_SIZE = 50  # items on a page of the moderation queue


def _wants_json(request: HttpRequest) -> bool:
    return request.GET.get("format") == "json"


def _filters(request: HttpRequest) -> SearchFilters:
    goal = request.GET.get("goal", "")
    return SearchFilters(
        goal=int(goal) if goal.isdigit() and 1 <= int(goal) <= 17 else None,
        county=request.GET.get("county") or None,
        size=request.GET.get("size") or None,
        status=request.GET.get("status") or None,
        partner=request.GET.get("partner") or None,
    )


def _library_link(query: str, filters: SearchFilters, **changes: Any) -> str:
    """The library's query string for the search shown, with these parameters changed (a
    change to None leaves one out): the query and every active filter are kept, so the next
    page or a facet narrows this search instead of starting another."""
    parameters: dict[str, Any] = {"q": query, **dict(filters.terms()), **changes}
    return "?" + urlencode({name: value for name, value in parameters.items() if value})


@dataclass
class PageLink:
    """One entry of the library's page list: a page number with its link, or a gap (None)."""

    number: int | None
    link: str = ""
    current: bool = False


@dataclass
class Pagination:
    """Where the page shown sits among the results, with links that keep the search."""

    first: int  # position of the first result shown, from 1 (0 when none is shown)
    last: int
    total: int
    previous_link: str | None
    next_link: str | None
    pages: list[PageLink]


def _pagination(
    query: str, filters: SearchFilters, page: int, shown: int, total: int
) -> Pagination:
    def link(number: int) -> str:
        # The first page is the library's own address for the search, without page=1.
        return _library_link(query, filters, page=number if number > 1 else None)

    last_page = max(1, -(-total // PAGE_SIZE))
    first = (page - 1) * PAGE_SIZE + 1 if shown else 0
    numbers = sorted(
        {1, last_page}
        | set(range(max(1, page - PAGE_LINKS_AROUND), min(last_page, page + PAGE_LINKS_AROUND) + 1))
    )
    pages: list[PageLink] = []
    for number in numbers:
        if pages and pages[-1].number is not None and number > pages[-1].number + 1:
            pages.append(PageLink(None))
        pages.append(PageLink(number, link(number), current=number == page))
    return Pagination(
        first=first,
        last=first + shown - 1 if shown else 0,
        total=total,
        # A page past the end leads back to the last one.
        previous_link=link(min(page - 1, last_page)) if page > 1 else None,
        next_link=link(page + 1) if page < last_page else None,
        pages=pages if last_page > 1 else [],
    )


def library(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:300]
    filters = _filters(request)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    result = search_projects(
        request.user, query, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    if _wants_json(request):
        return JsonResponse(
            {
                "query": query,
                "semantic": result.semantic,
                "total": result.total,
                "results": [
                    {
                        "key": hit.key,
                        "title": hit.project.title if hit.project else "",
                        "municipality": hit.project.municipality_id if hit.project else "",
                        "score": hit.score,
                        "keyword_rank": hit.keyword_rank,
                        "meaning_rank": hit.vector_rank,
                    }
                    for hit in result.hits
                ],
                "facets": {name: dict(counts) for name, counts in result.facets.items()},
            }
        )
    counties = dict(Place.objects.filter(kind=Place.Kind.COUNTY).values_list("code", "name"))
    goals = {g.number: g for g in Goal.objects.all()}
    sizes = {slug: (nb, en) for slug, _low, _high, nb, en in SIZE_CLASSES}
    english = (request.LANGUAGE_CODE or "nb").startswith("en")
    facets = {
        "goal": [(n, str(goals[n]), c) for n, c in sorted(result.facets.get("goal", {}).items()) if n in goals],
        "county": [(k, counties.get(k, k), c) for k, c in sorted(result.facets.get("county", {}).items()) if k],
        "size": [(k, sizes.get(k, (k, k))[1 if english else 0], c) for k, c in sorted(result.facets.get("size", {}).items()) if k],
        "status": [(k, Status(k).label, c) for k, c in sorted(result.facets.get("status", {}).items())],
        "partner": [(k, PartnerKind(k).label, c) for k, c in sorted(result.facets.get("partner", {}).items())],
    }  # fmt: skip
    # Each facet value links to this search narrowed by it, from its first page.
    facet_links = {
        name: [(title, count, _library_link(query, filters, **{name: key, "page": None}))
               for key, title, count in values]
        for name, values in facets.items()
    }  # fmt: skip
    return render(
        request,
        "projects/library.html",
        {
            "query": query,
            "result": result,
            "facets": facet_links,
            "active_filters": filters.terms(),
            "pagination": _pagination(query, filters, page, len(result.hits), result.total),
            "clear_filters_link": _library_link(query, SearchFilters()),
            "can_add": project_rules.is_author(request.user)
            or project_rules.is_network_admin(request.user),
            "mine": access.editable_projects(request.user)[:20],
        },
    )


def project_detail(request: HttpRequest, key: str) -> HttpResponse:
    project = access.access_project(request.user, key)
    if _wants_json(request):
        return JsonResponse(project_record(project))
    evidence = project_evidence(project)
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "body": render_markdown(project.body),
            "citizen_involvement": render_markdown(project.citizen_involvement),
            "results": render_markdown(project.results),
            "lessons": render_markdown(project.lessons),
            "evidence": evidence,
            "can_change": project_rules.can_change.test(request.user, project),
            "can_publish": request.user.has_perm("projects.publish_project", project),
            "can_report": request.user.has_perm("projects.report_project", project),
            "can_moderate": request.user.has_perm("projects.moderate_project", project),
            "municipality_url": project.municipality.url,
        },
    )


def _municipalities_for(user: Any) -> list[Place]:
    places = Place.objects.filter(kind=Place.Kind.MUNICIPALITY).order_by("name")
    if project_rules.is_network_admin(user):
        return list(places)
    own = place_of(user)
    return list(places.filter(code=own)) if own else []


def _edit(request: HttpRequest, project: Project | None) -> HttpResponse:
    municipalities = _municipalities_for(request.user)
    if project is not None and project.municipality not in municipalities:
        municipalities.append(project.municipality)
    if not municipalities:
        raise PermissionDenied
    suggestions = None
    linked = list(project.indicators.values_list("key", flat=True)) if project else []
    if request.method == "POST":
        form = ProjectForm(request.POST, municipalities=municipalities, linked=linked)
        if form.is_valid():
            record = form.record()
            if project is not None:
                record["key"] = project.key
            if "suggest" in request.POST:
                # Suggestions are only shown; the author ticks what to keep and saves.
                text = "\n".join(
                    [record["title"], record["summary"], record["body"], record["results"]]
                )
                suggestions = suggest(text)
            elif project is None and Project.objects.filter(key=record["key"]).exists():
                form.add_error("key", _("A project with this key exists already."))
            else:
                try:
                    saved = do_save_project(request.user, record)
                except LibraryError as error:
                    for problem in error.problems:
                        form.add_error(None, problem.message)
                else:
                    messages.success(request, _("The project was saved."))
                    return redirect("project", key=saved.key)
    else:
        initial: dict[str, Any] = {"status": "ongoing", "language": "nb", "visibility": "public"}
        if project is not None:
            initial = initial_from(project)
        elif len(municipalities) == 1:
            initial["municipality"] = municipalities[0].code
        form = ProjectForm(initial=initial, municipalities=municipalities, linked=linked)
    return render(
        request,
        "projects/project_form.html",
        {
            "form": form,
            "project": project,
            "suggestions": suggestions,
            "semantic": embeddings.available(),
            "attachment_form": AttachmentForm(),
        },
    )


def project_new(request: HttpRequest) -> HttpResponse:
    if not (project_rules.is_author(request.user) or project_rules.is_network_admin(request.user)):
        if not request.user.is_authenticated:
            return redirect(f"{_login_url()}?next={request.path}")
        raise PermissionDenied
    return _edit(request, None)


def _login_url() -> str:
    from django.conf import settings
    from django.shortcuts import resolve_url

    return resolve_url(settings.LOGIN_URL)


def project_edit(request: HttpRequest, key: str) -> HttpResponse:
    return _edit(request, access.access_project_for_change(request.user, key))


@require_POST
def project_publish(request: HttpRequest, key: str) -> HttpResponse:
    project = access.access_project_for_change(request.user, key)
    try:
        do_set_published(project, request.POST.get("published") == "1", actor=request.user)
    except LibraryError as error:
        messages.error(request, " ".join(p.message for p in error.problems))
    return redirect("project", key=project.key)


def project_report(request: HttpRequest, key: str) -> HttpResponse:
    """ "Report a problem" with a published project: anyone logged in who can read it."""
    project = access.access_project(request.user, key)
    if not request.user.is_authenticated:
        return redirect(f"{_login_url()}?next={request.path}")
    if not request.user.has_perm("projects.report_project", project):
        raise Http404(key)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_report_project(request.user, project, form.cleaned_data["reason"])
        except LibraryError as error:
            for problem in error.problems:
                form.add_error("reason", problem.message)
        else:
            messages.success(request, _("Thank you. A network admin will look at your report."))
            return redirect("project", key=project.key)
    return render(request, "projects/project_report.html", {"project": project, "form": form})


def moderation_queue(request: HttpRequest) -> HttpResponse:
    """The network admins' queue: recently created, edited or published projects and
    methods, newest first, a page at a time, with open problem reports (404 for everyone
    else)."""
    state = request.GET.get("state", "all")
    if state not in access.QUEUE_STATES:
        state = "all"
    queue = access.moderation_queue(request.user, state)
    page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    items = page.object_list
    if _wants_json(request):
        return JsonResponse(
            {
                "state": state,
                "count": page.paginator.count,
                "page": page.number,
                "pages": page.paginator.num_pages,
                "items": [
                    {
                        "kind": entry.kind,
                        "key": entry.item.key,
                        "title": entry.item.title,
                        "municipality": entry.item.municipality_id,
                        "published": entry.item.published,
                        "hidden": entry.item.hidden,
                        "hidden_reason": entry.item.hidden_reason,
                        "updated_at": entry.item.updated_at.isoformat(),
                        "created_at": entry.item.created_at.isoformat(),
                        "needs_review": entry.needs_review,
                        "reports": [
                            {"reason": r.reason, "at": r.created_at.isoformat()}
                            for r in entry.open_reports
                        ],
                    }
                    for entry in items
                ],
            }
        )
    return render(
        request,
        "projects/moderation.html",
        {
            "items": items,
            "page": page,
            "state": state,
            "states": [
                ("all", _("All")),
                ("unreviewed", _("Not reviewed")),
                ("reported", _("Reported")),
                ("hidden", _("Hidden")),
                ("draft", _("Drafts")),
                ("published", _("Published")),
            ],
            "max_reason": MAX_REASON,
        },
    )


@require_POST
def moderate(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    item = access.access_for_moderation(request.user, kind, key)
    decision = request.POST.get("decision", "")
    try:
        do_moderate(request.user, item, decision, request.POST.get("reason", ""))
    except LibraryError as error:
        messages.error(
            request, f"{item.title}: " + " ".join(problem.message for problem in error.problems)
        )
    else:
        done = {
            "hide": _("%(title)s is hidden; its owners see the reason."),
            "restore": _("%(title)s is restored."),
            "review": _("%(title)s is marked as reviewed."),
        }[decision]
        messages.success(request, done % {"title": item.title})
    # Back to the page the decision was made on (the queue clamps a page that no longer
    # exists to its last).
    state = request.POST.get("state", "all")
    page = request.POST.get("page", "")
    query = urlencode(
        {
            **({"state": state} if state in access.QUEUE_STATES and state != "all" else {}),
            **({"page": page} if page.isascii() and page.isdigit() and int(page) > 1 else {}),
        }
    )
    return redirect(reverse("moderation") + (f"?{query}" if query else ""))


@require_POST
def project_attach(request: HttpRequest, key: str) -> HttpResponse:
    project = access.access_project_for_change(request.user, key)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            messages.error(request, _("The file is larger than 5 MB."))
        else:
            try:
                do_add_attachment(project, form.cleaned_data["title"], upload.name, upload.read())
            except LibraryError as error:
                messages.error(request, "; ".join(p.message for p in error.problems))
            else:
                messages.success(request, _("The attachment was added."))
    return redirect("project-edit", key=project.key)


def project_attachment(request: HttpRequest, key: str, pk: int, name: str) -> FileResponse:
    """An attachment, to whoever may see its project (a draft's or a hidden project's
    files are 404 like the project), with the type its content was recognised as."""
    project = access.access_project(request.user, key)
    attachment = get_object_or_404(project.attachments, pk=pk)
    if name != attachment.filename:
        raise Http404(name)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404(name) from error
    # PDFs and images open in the browser; the type is the one recognised on upload, and
    # nosniff (settings) keeps the browser from guessing another.
    response = FileResponse(handle, content_type=attachment.content_type, filename=name)
    if not (project.published and project.visibility == Visibility.PUBLIC):
        patch_cache_control(response, private=True)
    return response


def learn(request: HttpRequest, code: str) -> HttpResponse:
    place = get_object_or_404(Place, code=code, kind=Place.Kind.MUNICIPALITY)
    if _wants_json(request):
        learning = who_to_learn_from(request.user, place)
        return JsonResponse(
            {
                "municipality": place.code,
                "weakest": [
                    {
                        "indicator": weak.indicator.key,
                        "score": weak.score,
                        "year": weak.year,
                        "trend": weak.trend,
                        "peers": [
                            {
                                "municipality": peer.place.code,
                                "improvement_per_year": peer.improvement_per_year,
                                "from": [peer.start_year, peer.start_value],
                                "to": [peer.latest_year, peer.latest_value],
                                "projects": [p.key for p in peer.projects],
                                "projects_by_goal": peer.projects_by_goal,
                            }
                            for peer in weak.peers
                        ],
                    }
                    for weak in learning
                ],
            }
        )
    weakest = learning_summary(request.user, place)
    return render(request, "projects/learn.html", {"place": place, "weakest": weakest})


def method_detail(request: HttpRequest, key: str) -> HttpResponse:
    method = access.access_method(request.user, key)
    projects = access.visible_projects(request.user).filter(methods=method)
    if _wants_json(request):
        from sdgnet.projects.actions import method_record

        return JsonResponse({**method_record(method), "projects": [p.key for p in projects]})
    return render(
        request,
        "projects/method_detail.html",
        {
            "method": method,
            "body": render_markdown(method.body),
            "projects": projects,
            "can_change": project_rules.can_change.test(request.user, method),
        },
    )


def export(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(export_library(request.user), json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="library.json"'
    return response
