"""A list of the network's contributions (citizens' proposals, partners' pledges) as its
pages show it: filtered by goal and status, sorted, 20 to a page, with a JSON twin."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet, TextChoices
from django.http import HttpRequest, JsonResponse
from django.utils.http import urlencode

from sdgnet.catalog.models import Goal

PAGE_SIZE = 20


@dataclass(frozen=True)
class Ordering:
    label: Any  # a lazily translated text
    fields: tuple[str, ...]


@dataclass
class GoalList:
    chosen: dict[str, Any]
    page: Page[Any]
    statuses: type[TextChoices]
    orderings: Mapping[str, Ordering]
    default_sort: str
    path: str

    def link(self, **changes: Any) -> str:
        """This list's address with some filters changed (None drops one); the default
        sort order is left out."""
        kept = {k: v for k, v in self.chosen.items() if k != "sort" or v != self.default_sort}
        query = {k: v for k, v in {**kept, **changes}.items() if v is not None}
        return "?" + urlencode(query)

    def json_response(
        self, name: str, record: Callable[[Any], dict[str, Any]], place: Any
    ) -> JsonResponse:
        return JsonResponse(
            {
                "place": place.code if place else None,
                "filters": self.chosen,
                "total": self.page.paginator.count,
                "page": self.page.number,
                "pages": self.page.paginator.num_pages,
                name: [record(item) for item in self.page],
            },
            json_dumps_params={"ensure_ascii": False},
        )

    def context(self) -> dict[str, Any]:
        """What web/_goal_list_filters.html and web/_list_pages.html show."""
        page = self.page
        return {
            "page": page,
            "chosen": self.chosen,
            "goals": Goal.objects.all(),
            "statuses": self.statuses.choices,
            "sorts": [
                (key, ordering.label, self.link(sort=key, page=None))
                for key, ordering in self.orderings.items()
            ],
            "default_sort": self.default_sort,
            "previous_link": self.link(page=page.previous_page_number())
            if page.has_previous()
            else "",
            "next_link": self.link(page=page.next_page_number()) if page.has_next() else "",
            "list_url": self.path,
        }


def goal_list(
    request: HttpRequest,
    items: QuerySet[Model],
    statuses: type[TextChoices],
    orderings: Mapping[str, Ordering],
    default_sort: str,
) -> GoalList:
    """`items` narrowed by the request's `goal` and `status`, sorted by its `sort` and cut
    to its `page`; a value the list does not know is left out, not an error."""
    chosen: dict[str, Any] = {}
    goal = request.GET.get("goal", "")
    if goal.isdigit() and 1 <= int(goal) <= 17:
        chosen["goal"] = int(goal)
        items = items.filter(goals__number=chosen["goal"])
    if request.GET.get("status") in statuses.values:
        chosen["status"] = request.GET["status"]
        items = items.filter(status=chosen["status"])
    sort = request.GET.get("sort", "")
    chosen["sort"] = sort if sort in orderings else default_sort
    ordered = items.order_by(*orderings[chosen["sort"]].fields)
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    return GoalList(chosen, page, statuses, orderings, default_sort, request.path)
