"""The framework pages: everyone reads every framework and how each indicator is scored;
network admins edit an entry's scoring fields, in the page's language, by the scoring
engine's rules, audited, and the stored scores follow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import Client

from sdgnet.accounts.actions import do_create_user
from sdgnet.accounts.models import AuditEvent, Role
from sdgnet.catalog.actions import (
    FrameworkFileError,
    do_load_framework,
    do_update_framework_entry,
    linked_goals,
)
from sdgnet.catalog.models import Framework, FrameworkIndicator, Goal
from sdgnet.scores.actions import do_rescore_all
from sdgnet.scores.models import IndicatorScore, ScoreRun

pytestmark = pytest.mark.django_db

HOME = "3201"  # Bærum
FRAMEWORK = "kommunale-baerekraftsindikatorer"
# best 88.6, worst 72.5, green 80, red 74.8, target 88.6 in 2030, weight 1: higher is better.
TURNOUT = "voter-turnout-storting"
MEASLES = "vaccination-measles-age2"  # worst 82.5
POPULATION = "population"  # context: no bounds, weight 0, not in the index
EDIT = f"/frameworks/{FRAMEWORK}/{TURNOUT}/edit/"
ACTION = "catalog.update_framework_entry"


@pytest.fixture
def admin(db: Any) -> Any:
    return do_create_user("admin@example.no", Role.NETWORK_ADMIN)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def entry(indicator: str = TURNOUT) -> FrameworkIndicator:
    return FrameworkIndicator.objects.get(framework_id=FRAMEWORK, indicator_id=indicator)


def form_data(indicator: str = TURNOUT, **changes: str) -> dict[str, str]:
    """The edit form as the bokmål page fills it in for the entry, with `changes`."""
    saved = entry(indicator)
    data = {
        "goal": str(saved.goal_id or ""),
        "direction": saved.direction,
        **{
            field: "" if getattr(saved, field) is None else str(getattr(saved, field))
            for field in ("best", "worst", "green", "red", "target_value", "target_year")
        },
        "weight": str(saved.weight),
        **({"in_index": "on"} if saved.in_index else {}),
    }
    data.update(changes)
    return {field: value for field, value in data.items() if value is not None}


def page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


# ---------------------------------------------------------------- reading


@pytest.mark.parametrize(
    ("prefix", "default", "u4ssc", "scored", "listed"),
    [
        (
            "",
            "Kommunale bærekraftsindikatorer",
            "U4SSC nøkkelindikatorer for smarte og bærekraftige byer",
            "Ja: indikatorene gir skår, farger og en indeks",
            "Nei: en liste over indikatorer uten skår",
        ),
        (
            "/en",
            "Municipal sustainability indicators",
            "U4SSC key performance indicators for smart sustainable cities",
            "Yes: its indicators give scores, colours and an index",
            "No: a list of indicators without scores",
        ),
    ],
)
def test_anyone_reads_the_list_of_frameworks(prefix, default, u4ssc, scored, listed):
    html = page(Client(), f"{prefix}/frameworks/")
    assert f'<a href="{prefix}/frameworks/{FRAMEWORK}/">{default}</a>' in html
    assert f'<a href="{prefix}/frameworks/u4ssc/">{u4ssc}</a>' in html
    assert "2025.1" in html and "Y.4903" in html
    assert scored in html and listed in html
    # The navigation links the list on every page.
    assert f'<a href="{prefix}/frameworks/">' in page(Client(), f"{prefix}/")

    data = Client().get(f"{prefix}/frameworks/?format=json").json()
    frameworks = {item["slug"]: item for item in data["frameworks"]}
    assert frameworks[FRAMEWORK] | {"description": ""} == {
        "slug": FRAMEWORK,
        "name": default,
        "version": "2025.1",
        "description": "",
        "indicators": FrameworkIndicator.objects.filter(framework_id=FRAMEWORK).count(),
        "scored": True,
        "is_default": True,
        "url": f"{prefix}/frameworks/{FRAMEWORK}/",
    }
    assert frameworks["u4ssc"]["indicators"] == 111
    assert (frameworks["u4ssc"]["scored"], frameworks["u4ssc"]["is_default"]) == (False, False)


@pytest.mark.parametrize(
    ("prefix", "numbers", "words"),
    [
        ("", ["88,6", "72,5", "74,8", "82,5"], ["høyere er bedre", "kontekst", "Folketall"]),
        ("/en", ["88.6", "72.5", "74.8", "82.5"], ["higher is better", "context", "Population"]),
    ],
)
def test_anyone_reads_how_each_indicator_of_a_framework_is_scored(prefix, numbers, words):
    html = page(Client(), f"{prefix}/frameworks/{FRAMEWORK}/")
    assert f'href="{prefix}/indicators/{TURNOUT}/"' in html
    for text in numbers + words:
        assert text in html
    # Grouped by goal, linking the goal's page; nobody but an admin sees edit links.
    assert f'<a href="{prefix}/goals/16/">' in html
    assert "/edit/" not in html

    data = Client().get(f"{prefix}/frameworks/{FRAMEWORK}/?format=json").json()
    assert data["framework"]["slug"] == FRAMEWORK
    goals = {goal["number"]: goal for goal in data["goals"]}
    assert list(goals) == sorted(goals)
    turnout = next(item for item in goals[16]["entries"] if item["indicator"] == TURNOUT)
    assert [goal["url"] for goal in turnout["goals"]] == [f"{prefix}/goals/16/"]
    assert turnout | {"name": "", "direction_label": "", "goals": []} == {
        "indicator": TURNOUT,
        "name": "",
        "url": f"{prefix}/indicators/{TURNOUT}/",
        "unit": "percent",
        "position": entry().position,
        "direction": "increase",
        "direction_label": "",
        "scored": True,
        "best": 88.6,
        "worst": 72.5,
        "green": 80.0,
        "red": 74.8,
        "target_value": 88.6,
        "target_year": 2030,
        "weight": 1.0,
        "in_index": True,
        "goals": [],
    }
    population = next(item for item in goals[11]["entries"] if item["indicator"] == POPULATION)
    assert (population["scored"], population["in_index"], population["best"]) == (
        False,
        False,
        None,
    )
    assert "problems" not in turnout and "unscorable" not in data


def test_an_entry_that_is_not_scored_says_nothing_of_the_index() -> None:
    # U4SSC's KPIs have no bounds, so no score: "counts in the index" would be untrue.
    html = page(Client(), "/frameworks/u4ssc/")
    row = html[html.index('<tr id="entry-ec-ict-ict-1c">') :]
    row = row[: row.index("</tr>")]
    assert "(skåres ikke)" in row
    assert ">teller<" not in row and ">teller ikke<" not in row
    assert row.rstrip().endswith("<td>–</td>")
    # A scored entry still says whether it counts.
    assert "<td>teller</td>" in page(Client(), f"/frameworks/{FRAMEWORK}/")


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_an_unknown_framework_is_not_found(prefix, admin):
    assert Client().get(f"{prefix}/frameworks/no-such-framework/").status_code == 404
    assert client_for(admin).get(f"{prefix}/frameworks/no-such-framework/").status_code == 404
    edit = f"{prefix}/frameworks/no-such-framework/{TURNOUT}/edit/"
    assert client_for(admin).get(edit).status_code == 404
    # An indicator the framework does not hold, too.
    edit = f"{prefix}/frameworks/u4ssc/{TURNOUT}/edit/"
    assert client_for(admin).get(edit).status_code == 404


# ---------------------------------------------------------------- who may edit


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.PARTNER, Role.EDITOR, Role.MUNICIPALITY_ADMIN])
def test_only_network_admins_may_edit(role):
    place = HOME if role in (Role.EDITOR, Role.MUNICIPALITY_ADMIN) else None
    user = do_create_user(f"{role}@example.no", role, place=place)
    client = client_for(user)
    assert client.get(EDIT).status_code == 403
    assert client.post(EDIT, form_data(green="81")).status_code == 403
    assert "/edit/" not in page(client, f"/frameworks/{FRAMEWORK}/")
    with pytest.raises(PermissionDenied):
        do_update_framework_entry(user, entry(), {"green": 81.0})
    assert entry().green == 80.0
    assert not AuditEvent.objects.filter(action=ACTION).exists()


def test_anonymous_visitors_are_sent_to_log_in():
    for response in (Client().get(EDIT), Client().post(EDIT, form_data(green="81"))):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    assert entry().green == 80.0


# ---------------------------------------------------------------- editing


def test_an_admin_edits_in_bokmal_with_a_decimal_comma_and_it_is_audited(admin):
    client = client_for(admin)
    html = page(client, EDIT)
    # The stored numbers are offered as the page writes them, and sent back unchanged.
    assert 'value="88,6"' in html and 'value="74,8"' in html
    response = client.post(
        EDIT, form_data(green="81,5", red="75,25", target_value="85", target_year="2030")
    )
    assert response.status_code == 302
    assert response["Location"] == f"/frameworks/{FRAMEWORK}/#entry-{TURNOUT}"
    saved = entry()
    assert (saved.green, saved.red, saved.target_value) == (81.5, 75.25, 85.0)
    # Unchanged fields stay as they were, to the last digit.
    assert (saved.best, saved.worst, saved.weight, saved.in_index) == (88.6, 72.5, 1.0, True)

    event = AuditEvent.objects.get(action=ACTION)
    assert event.actor == admin
    assert event.object_id == f"{FRAMEWORK}:{TURNOUT}"
    assert event.before == {"green": 80.0, "red": 74.8, "target_value": 88.6}
    assert event.after == {"green": 81.5, "red": 75.25, "target_value": 85.0}

    html = page(client, response["Location"])
    assert "Lagret endringene i Valgdeltakelse ved stortingsvalg." in html
    assert "81,5" in html and "75,25" in html


def test_an_admin_edits_in_english_with_a_decimal_point(admin):
    response = client_for(admin).post(f"/en{EDIT}", form_data(green="81.5", weight="2.5"))
    assert response.status_code == 302
    assert (entry().green, entry().weight) == (81.5, 2.5)


def test_sending_the_form_back_unchanged_writes_nothing(admin):
    client = client_for(admin)
    response = client.post(EDIT, form_data(best="88,6", worst="72,5", green="80", red="74,8"))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=ACTION).exists()
    assert "Ingenting ble endret for Valgdeltakelse ved stortingsvalg." in page(
        client, response["Location"]
    )


def errors_for(client: Client, path: str, data: dict[str, str]) -> dict[str, list[str]]:
    response = client.post(path, data)
    assert response.status_code == 200
    return {field: list(messages) for field, messages in response.context["form"].errors.items()}


def test_thresholds_out_of_order_are_refused_at_the_field_and_nothing_is_saved(admin):
    before = list(FrameworkIndicator.objects.filter(framework_id=FRAMEWORK).values())
    assert errors_for(client_for(admin), EDIT, form_data(green="74", red="80,5")) == {
        "green": ["Grønn grense (74) må ligge over rød (80,5) når høyere er bedre."]
    }
    assert list(FrameworkIndicator.objects.filter(framework_id=FRAMEWORK).values()) == list(before)
    assert not AuditEvent.objects.filter(action=ACTION).exists()


def test_every_problem_is_shown_at_its_field_in_the_pages_language(admin):
    client = client_for(admin)
    assert errors_for(
        client, EDIT, form_data(weight="0", target_year="0", green="74", red="80", best="abc")
    ) == {"best": ["verdien 'abc' er ikke et tall"]}
    # Once every number reads, the engine's rules, all of them at once.
    assert errors_for(
        client, EDIT, form_data(weight="0", target_year="0", green="74", red="80")
    ) == {
        "green": ["Grønn grense (74) må ligge over rød (80) når høyere er bedre."],
        "weight": [
            "Vekten må ligge fra 0,000000001 til 1\xa0000\xa0000\xa0000, fant 0. Vektene teller "
            "i forhold til de andre i målet: skaler vektene i målet likt."
        ],
        "target_year": ["Målåret må være et helt år fra 1 til 9999, fant 0."],
    }
    assert errors_for(client, f"/en{EDIT}", form_data(direction="decrease")) == {
        "direction": [
            "The best value (88.6) is above the worst (72.5), so higher is better: change the "
            "direction or swap the two values."
        ]
    }
    # A point where the bokmål page groups thousands could be either: refused, not guessed.
    assert errors_for(client, EDIT, form_data(best="130.921")) == {
        "best": ["Skriv 130921 eller 130,921 – punktum kan bety tusenskille."]
    }
    assert errors_for(client, EDIT, form_data(weight="")) == {
        "weight": ["Dette feltet er påkrevd."]
    }
    assert entry().weight == 1.0
    assert not AuditEvent.objects.filter(action=ACTION).exists()


def test_a_context_entry_needs_no_bounds(admin):
    cleared = dict.fromkeys(("best", "worst", "green", "red", "target_value", "target_year"), "")
    data = form_data(direction="context", weight="0", **cleared)
    del data["in_index"]
    assert client_for(admin).post(EDIT, data).status_code == 302
    saved = entry()
    assert (saved.direction, saved.best, saved.worst, saved.in_index) == (
        "context",
        None,
        None,
        False,
    )
    assert not saved.is_scored
    # Other entries are still scored, so the framework is.
    assert Framework.objects.get(slug=FRAMEWORK).scored


def latest_run(framework: str = FRAMEWORK) -> ScoreRun:
    return ScoreRun.objects.filter(framework_id=framework, complete=True).order_by("-pk")[0]


def turnout_scores(run: ScoreRun) -> dict[int, tuple[float, float]]:
    rows = IndicatorScore.objects.filter(
        run=run, place_id=HOME, indicator_id=TURNOUT, value__isnull=False
    )
    return {row.year: (row.value, row.score) for row in rows}


def test_an_edit_rescores_and_the_stored_scores_follow_the_new_bounds(
    admin, django_capture_on_commit_callbacks
):
    do_rescore_all()
    before = latest_run()
    old = turnout_scores(before)
    assert old
    client = client_for(admin)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(EDIT, form_data(best="95", worst="60,5", green="85"))
    assert response.status_code == 302
    assert callbacks  # the rescore ran once the edit committed
    run = latest_run()
    assert run.pk != before.pk
    new = turnout_scores(run)
    assert new.keys() == old.keys()
    for year, (value, score) in new.items():
        assert score == pytest.approx(min(100.0, max(0.0, 100 * (value - 60.5) / (95 - 60.5))))
        assert score != pytest.approx(old[year][1])
    assert "Skårene er regnet ut på nytt etter de nye reglene." in page(
        client, response["Location"]
    )


def test_an_entry_saved_around_the_rules_is_flagged_for_admins_and_holds_the_rescore(
    admin, django_capture_on_commit_callbacks
):
    # As in a database from before the rules were checked: a weight of 0 on a scored entry.
    FrameworkIndicator.objects.filter(framework_id=FRAMEWORK, indicator_id=MEASLES).update(weight=0)
    client = client_for(admin)
    html = page(client, f"/frameworks/{FRAMEWORK}/")
    assert f'<a href="#entry-{MEASLES}">' in html
    assert f'href="/frameworks/{FRAMEWORK}/{MEASLES}/edit/"' in html
    assert "Vekten må ligge fra 0,000000001" in html
    data = client.get(f"/frameworks/{FRAMEWORK}/?format=json").json()
    assert [item["indicator"] for item in data["unscorable"]] == [MEASLES]
    # Nobody else is shown it.
    assert "Vekten må ligge" not in page(Client(), f"/frameworks/{FRAMEWORK}/")
    # Its form says what is wrong with it as saved.
    assert "Vekten må ligge fra 0,000000001" in page(
        client, f"/frameworks/{FRAMEWORK}/{MEASLES}/edit/"
    )

    # Another entry is saved, but no rescore runs that would stop at the refused entry.
    runs = ScoreRun.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(EDIT, form_data(green="81"))
    assert response.status_code == 302 and entry().green == 81.0
    # (the page cache is emptied, as after every edit)
    assert callbacks == [cache.clear] and ScoreRun.objects.count() == runs
    assert "Skårene ble ikke regnet ut på nytt" in page(client, response["Location"])

    # Corrected, the scores are recomputed.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            f"/frameworks/{FRAMEWORK}/{MEASLES}/edit/", form_data(MEASLES, weight="1")
        )
    assert response.status_code == 302 and do_rescore_all in callbacks
    assert ScoreRun.objects.filter(framework_id=FRAMEWORK).count() > 0
    assert "Vekten må ligge" not in page(client, f"/frameworks/{FRAMEWORK}/")


def test_the_framework_is_scored_exactly_while_one_of_its_entries_is(
    admin, tmp_path: Path, django_capture_on_commit_callbacks
):
    csv_path = tmp_path / "small.csv"
    csv_path.write_text(
        "indicator,name_nb,name_en,direction,goal,best,worst,green,red,weight,index\n"
        f"{TURNOUT},Valg,Turnout,increase,16,90,70,80,75,1,yes\n",
        encoding="utf-8",
    )
    meta = tmp_path / "small.json"
    meta.write_text('{"slug": "small", "name_nb": "Lite", "name_en": "Small"}')
    framework = do_load_framework(csv_path, meta).framework
    assert framework.scored
    do_rescore_all()
    assert IndicatorScore.objects.filter(run=latest_run("small")).exists()
    small = FrameworkIndicator.objects.get(framework=framework)

    with django_capture_on_commit_callbacks(execute=True):
        update = do_update_framework_entry(
            admin,
            small,
            {"direction": "context", "best": None, "worst": None, "green": None, "red": None},
        )
    assert update.rescored and not Framework.objects.get(slug="small").scored
    # Its stored scores are recomputed without the entry.
    assert not IndicatorScore.objects.filter(run=latest_run("small")).exists()

    with django_capture_on_commit_callbacks(execute=True):
        do_update_framework_entry(
            admin, small, {"direction": "increase", "best": 90.0, "worst": 70.0}
        )
    assert Framework.objects.get(slug="small").scored
    assert IndicatorScore.objects.filter(run=latest_run("small")).exists()


def test_the_action_takes_only_the_scoring_fields(admin):
    with pytest.raises(ValueError, match="position"):
        do_update_framework_entry(admin, entry(), {"position": 0})


# ---------------------------------------------- edits made on the platform outlive setup


def shipped_framework() -> tuple[Path, Path]:
    from sdgnet.web.defaultload import DEFAULT_DATA_DIR

    csv_path = DEFAULT_DATA_DIR / "frameworks" / f"{FRAMEWORK}.csv"
    return csv_path, csv_path.with_suffix(".json")


def test_loading_the_framework_file_again_keeps_what_an_admin_changed(admin: Any) -> None:
    do_update_framework_entry(admin, entry(), {"green": 82.0, "target_value": 90.0})
    assert entry().edited_fields == ["green", "target_value"]
    do_load_framework(*shipped_framework(), is_default=True)  # as `sdgnet setup` does
    turnout = entry()
    assert (turnout.green, turnout.target_value) == (82.0, 90.0)
    # The fields the admin left alone still follow the file.
    assert (turnout.best, turnout.worst, turnout.red) == (88.6, 72.5, 74.8)
    assert turnout.edited_fields == ["green", "target_value"]


def test_an_entry_moved_to_another_goal_is_listed_under_that_goal_after_a_reload_too(
    admin: Any,
) -> None:
    # The goal pages list a framework's indicators by the entry's goals (the m2m); the
    # edit moves the primary goal, and the goals with it.
    assert entry().goal_id == 16
    do_update_framework_entry(admin, entry(), {"goal": Goal.objects.get(number=10)})
    for _reload in range(2):
        assert list(entry().goals.values_list("number", flat=True)) == [10]
        assert "Valgdeltakelse ved stortingsvalg" in page(Client(), "/goals/10/")
        assert "Valgdeltakelse ved stortingsvalg" not in page(Client(), "/goals/16/")
        do_load_framework(*shipped_framework(), is_default=True)  # as `sdgnet setup` does
        cache.clear()


def test_linked_goals_put_the_primary_goal_in_the_listed_ones_place() -> None:
    assert linked_goals([5, 9, 17], 9, 5) == [9, 17]
    assert linked_goals([5, 9, 17], 11, 5) == [11, 9, 17]
    assert linked_goals([5, 9, 17], None, 5) == [9, 17]
    assert linked_goals([], 3, None) == [3]
    assert linked_goals([5, 9], 5, 5) == [5, 9]


def test_an_admins_value_the_file_no_longer_fits_is_named_as_the_admins(
    admin: Any, tmp_path: Path
) -> None:
    do_update_framework_entry(admin, entry(), {"red": 79.0})
    csv_path, meta = shipped_framework()
    # A new edition of the file moves green below the admin's red.
    text = csv_path.read_text(encoding="utf-8").replace(
        ",88.6,72.5,80.0,74.8,", ",88.6,72.5,78.0,74.8,"
    )
    assert text != csv_path.read_text(encoding="utf-8")
    changed = tmp_path / csv_path.name
    changed.write_text(text, encoding="utf-8")
    with pytest.raises(FrameworkFileError) as refused:
        do_load_framework(changed, meta, is_default=True)
    assert str(refused.value) == (
        f"{FRAMEWORK}.csv linje 4, kolonne green: Grønn grense (78) må ligge over rød (79) når"
        " høyere er bedre. (en nettverksadministrator satte red på plattformen)"
    )
    assert entry().green == 80.0  # nothing written


def test_an_edit_of_an_unscored_framework_shows_at_once_on_its_cached_page(
    admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    internet = FrameworkIndicator.objects.get(framework_id="u4ssc", indicator_id="ec-ict-ict-1c")

    def weight_shown() -> float:
        page = Client().get("/en/frameworks/u4ssc/", {"format": "json"}).json()
        entries = [entry for goal in page["goals"] for entry in goal["entries"]]
        weight: float = next(e for e in entries if e["indicator"] == internet.indicator_id)[
            "weight"
        ]
        return weight

    assert weight_shown() == 1.0  # and the page is cached now
    with django_capture_on_commit_callbacks(execute=True):
        update = do_update_framework_entry(admin, internet, {"weight": 2.5})
    assert not update.rescored  # no new score run to refresh the cached pages
    assert weight_shown() == 2.5
