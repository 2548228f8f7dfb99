"""What links a goal's page to the rest of the site: the indicators other frameworks link
to the goal (U4SSC links many of its KPIs to several goals), the library's projects on
the goal, and on a framework's page every goal of each entry."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

import sdgnet
from sdgnet.accounts.actions import do_create_user
from sdgnet.accounts.models import Role
from sdgnet.catalog.actions import do_update_framework_entry
from sdgnet.catalog.models import FrameworkIndicator, Goal
from sdgnet.projects.actions import do_import_library, do_set_published
from sdgnet.projects.models import Project

pytestmark = pytest.mark.django_db

U4SSC_FILE = Path(sdgnet.__file__).parent / "defaultdata" / "frameworks" / "u4ssc.csv"
DEFAULT = "kommunale-baerekraftsindikatorer"
# U4SSC links it to goals 5, 9 and 17; its goal (the first) is 5.
WIRELESS = "ec-ict-ict-3c"
# U4SSC links it to goal 17 only.
INTERNET = "ec-ict-ict-1c"


def page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def u4ssc_rows_linked_to(goal: int) -> int:
    """How many KPIs the shipped U4SSC file links to the goal (its `goals` column)."""
    with U4SSC_FILE.open(encoding="utf-8") as handle:
        return sum(
            str(goal) in re.split(r"[;,\s]+", row["goals"]) for row in csv.DictReader(handle)
        )


def row_of(html: str, href: str) -> list[str]:
    """The cells of the table row whose first cell links `href`, as text."""
    found = re.search(rf'<tr><th scope="row"><a href="{re.escape(href)}">(.*?)</tr>', html, re.S)
    assert found, href
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.split(r"</t[hd]><t[hd]>", found.group(1))]


# ---------------------------------------------------------------- other frameworks


@pytest.mark.parametrize(
    ("prefix", "name", "heading", "classification"),
    [
        (
            "",
            "Trådløst bredbåndsabonnement",
            "{count} indikatorer knyttet til dette målet",
            ["Økonomi › IKT", "IKT-infrastruktur", "kjerneindikator"],
        ),
        (
            "/en",
            "Wireless Broadband Subscriptions",
            "{count} indicators linked to this goal",
            ["Economy › ICT", "ICT infrastructure", "core indicator"],
        ),
    ],
)
def test_the_goal_page_lists_an_entry_linked_to_the_goal_among_several(
    prefix: str, name: str, heading: str, classification: list[str]
) -> None:
    wireless = FrameworkIndicator.objects.get(framework_id="u4ssc", indicator_id=WIRELESS)
    # Linked to goal 9 through its goals only, not as its goal.
    assert wireless.goal_id == 5
    assert [goal.number for goal in wireless.goals.all()] == [5, 9, 17]
    entry_url = f"{prefix}/frameworks/u4ssc/#entry-{WIRELESS}"

    html = page(Client(), f"{prefix}/goals/9/")
    assert row_of(html, entry_url) == [name, *classification]
    count = u4ssc_rows_linked_to(9)
    assert count > 1
    assert f'<h2 id="framework-u4ssc"><a href="{prefix}/frameworks/u4ssc/">' in html.replace(
        "\n", ""
    )
    assert heading.format(count=count) in html
    # The framework shown above as the municipal framework is not listed again.
    assert f'id="framework-{DEFAULT}"' not in html

    data = Client().get(f"{prefix}/goals/9/?format=json").json()
    assert [framework["slug"] for framework in data["other_frameworks"]] == ["u4ssc"]
    entries = data["other_frameworks"][0]["entries"]
    assert len(entries) == count
    assert next(item for item in entries if item["indicator"] == WIRELESS) == {
        "indicator": WIRELESS,
        "name": name,
        "url": entry_url,
        "dimension": "Economy",
        "sub_dimension": "ICT",
        "category": "ICT",
        "tier": "core",
        "dimension_label": classification[0],
        "category_label": classification[1],
        "tier_label": classification[2],
    }


def test_the_goal_page_does_not_list_an_entry_for_a_goal_it_is_not_linked_to() -> None:
    html = page(Client(), "/goals/3/")
    assert f"#entry-{WIRELESS}" not in html
    # Goal 3's own U4SSC KPIs are there, so the section itself is.
    assert 'id="framework-u4ssc"' in html
    assert f"{u4ssc_rows_linked_to(3)} indikatorer knyttet til dette målet" in html


def test_a_goal_no_other_framework_links_to_has_no_such_section() -> None:
    assert u4ssc_rows_linked_to(12) == 0
    html = page(Client(), "/goals/12/")
    assert 'id="framework-' not in html
    assert "knyttet til dette målet" not in html
    assert Client().get("/goals/12/?format=json").json()["other_frameworks"] == []


def test_an_entry_whose_goal_an_admin_changed_is_listed_under_its_new_goal() -> None:
    admin = do_create_user("admin@example.no", Role.NETWORK_ADMIN)
    internet = FrameworkIndicator.objects.get(framework_id="u4ssc", indicator_id=INTERNET)
    assert f"#entry-{INTERNET}" not in page(Client(), "/goals/12/")
    do_update_framework_entry(admin, internet, {"goal": Goal.objects.get(number=12)})
    cache.clear()  # an unscored framework's edit does not rescore; its pages wait for PAGE_TTL
    assert row_of(page(Client(), "/goals/12/"), f"/frameworks/u4ssc/#entry-{INTERNET}")[0] == (
        "Husholdninger med internettilgang"
    )


# ---------------------------------------------------------------- the library


def public_count(goal: int, prefix: str = "") -> int:
    library = Client().get(f"{prefix}/goals/{goal}/?format=json").json()["library"]
    assert library["url"] == f"{prefix}/projects/?goal={goal}"
    return int(library["projects"])


def library_projects(goal: int) -> dict[str, Any]:
    base = {"summary": "Prosjekt om gjenbruk av byggematerialer i kommunen.", "body": "Gjenbruk.",
            "language": "nb", "municipality": "3201", "goals": [goal], "status": "planned"}  # fmt: skip
    return {
        "projects": [
            {**base, "key": "g-draft", "title": "Utkast gjenbruk", "published": False,
             "visibility": "public"},
            {**base, "key": "g-network", "title": "Nettverk gjenbruk", "published": True,
             "visibility": "network"},
            {**base, "key": "g-public", "title": "Offentlig gjenbruk", "published": True,
             "visibility": "public"},
            {**base, "key": "g-other-goal", "title": "Annet mål gjenbruk", "published": True,
             "visibility": "public", "goals": [goal + 1]},
        ]
    }  # fmt: skip


@pytest.mark.parametrize(
    ("prefix", "one", "many"),
    [
        (
            "",
            "Biblioteket har {count} offentlig prosjekt om dette målet",
            "Biblioteket har {count} offentlige prosjekter om dette målet",
        ),
        (
            "/en",
            "The library has {count} public project on this goal",
            "The library has {count} public projects on this goal",
        ),
    ],
)
def test_the_goal_page_links_the_library_on_the_goal_counting_only_public_projects(
    prefix: str, one: str, many: str, django_capture_on_commit_callbacks: Any
) -> None:
    before = public_count(12, prefix)  # and the page is in the cache now
    with django_capture_on_commit_callbacks(execute=True):
        report = do_import_library(library_projects(12))
    assert report.ok, report.problems
    # Of the draft, the network-only, the public one and the one on goal 13: the public one.
    count = public_count(12, prefix)
    assert count == before + 1
    wording = (one if count == 1 else many).format(count=count)
    html = page(Client(), f"{prefix}/goals/12/")
    assert f'<a href="{prefix}/projects/?goal=12">{wording}</a>' in html
    # The library, filtered by the same parameter, finds as many for everyone.
    library = Client().get(f"{prefix}/projects/?goal=12&format=json").json()
    assert library["total"] == count
    assert "g-public" in {hit["key"] for hit in library["results"]}


@pytest.mark.parametrize(
    ("prefix", "wording"),
    [
        ("", "Biblioteket har ingen offentlige prosjekter om dette målet ennå."),
        ("/en", "The library has no public project on this goal yet."),
    ],
)
def test_without_public_projects_on_the_goal_the_page_says_so_without_a_link(
    prefix: str, wording: str, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for project in Project.objects.filter(goals=14, published=True):
            do_set_published(project, False)
    assert public_count(14, prefix) == 0
    html = page(Client(), f"{prefix}/goals/14/")
    assert wording in html
    assert "/projects/?goal=14" not in html  # no link to an empty library list
    # The proposals and pledges on the goal are linked whether or not there are any.
    assert f'href="{prefix}/proposals/?goal=14"' in html
    assert f'href="{prefix}/pledges/?goal=14"' in html


# ---------------------------------------------------------------- the framework page


@pytest.mark.parametrize(
    ("prefix", "goals", "goal_9"),
    [("", "Mål:", "Mål 9: Industri, innovasjon og infrastruktur"), ("/en", "Goals:", "Goal 9: ")],
)
def test_the_framework_page_shows_an_entrys_several_goals(
    prefix: str, goals: str, goal_9: str
) -> None:
    html = page(Client(), f"{prefix}/frameworks/u4ssc/")
    row = re.search(rf'<tr id="entry-{WIRELESS}">(.*?)</tr>', html, re.S)
    assert row
    linked = re.findall(r'<a class="goal-badge" href="([^"]+)"', row.group(1))
    assert linked == [f"{prefix}/goals/{number}/" for number in (5, 9, 17)]
    assert goals in row.group(1) and goal_9 in row.group(1)
    # An entry with one goal is shown under it, without the list.
    single = re.search(rf'<tr id="entry-{INTERNET}">(.*?)</tr>', html, re.S)
    assert single and "goal-badge" not in single.group(1)

    data = Client().get(f"{prefix}/frameworks/u4ssc/?format=json").json()
    by_key = {entry["indicator"]: entry for goal in data["goals"] for entry in goal["entries"]}
    assert [goal["number"] for goal in by_key[WIRELESS]["goals"]] == [5, 9, 17]
    assert [goal["number"] for goal in by_key[INTERNET]["goals"]] == [17]


def test_the_framework_page_reads_every_entrys_goals_in_one_query(
    django_assert_max_num_queries: Any,
) -> None:
    assert FrameworkIndicator.objects.filter(framework_id="u4ssc").count() == 111
    with django_assert_max_num_queries(4):  # stamp, framework, entries, their goals
        page(Client(), "/frameworks/u4ssc/")
