"""The management commands' integer options take an optional sign and ASCII digits, and
refuse anything else by the option's name, in the active language, with argparse's exit
status 2."""

from __future__ import annotations

import argparse

import pytest
from django.utils import translation

from sdgnet.cli import main as sdgnet_main
from sdgnet.web.command_options import language_in, whole_number


def test_a_whole_number_is_a_sign_and_ascii_digits() -> None:
    parse = whole_number(-10, 10)
    assert [parse(text) for text in ("7", "+7", "-3", "007", "-0")] == [7, 7, -3, 7, 0]


@pytest.mark.parametrize(
    ("text", "bokmaal", "english"),
    [
        # int() reads each of the first four.
        ("1_0", "forventet et heltall, fant «1_0»", "expected a whole number, found “1_0”"),
        (" 7 ", "forventet et heltall, fant « 7 »", "expected a whole number, found “ 7 ”"),
        (
            "\uff17",
            "forventet et heltall, fant «\uff17»",
            "expected a whole number, found “\uff17”",
        ),
        ("+ 7", "forventet et heltall, fant «+ 7»", "expected a whole number, found “+ 7”"),
        ("7.0", "forventet et heltall, fant «7.0»", "expected a whole number, found “7.0”"),
        ("", "forventet et heltall, fant «»", "expected a whole number, found “”"),
        ("9" * 5000, "forventet et heltall", "expected a whole number"),
        ("0", "må være fra 1 til 9, fant 0", "must be from 1 to 9, found 0"),
        ("10", "må være fra 1 til 9, fant 10", "must be from 1 to 9, found 10"),
    ],
)
def test_anything_else_is_refused_in_the_active_language(
    text: str, bokmaal: str, english: str
) -> None:
    parse = whole_number(1, 9)
    for language, expected in (("nb", bokmaal), ("en", english)):
        with translation.override(language), pytest.raises(argparse.ArgumentTypeError) as refused:
            parse(text)
        assert str(refused.value).startswith(expected), language


def test_a_lower_bound_alone_is_named() -> None:
    with translation.override("nb"), pytest.raises(argparse.ArgumentTypeError) as refused:
        whole_number(1)("-4")
    assert str(refused.value) == "må være minst 1, fant -4"


def test_the_language_asked_for_is_read_before_the_options_are_parsed() -> None:
    assert language_in(["search", "sykkel", "--limit", "0"]) == "nb"
    assert language_in(["search", "sykkel", "--language", "en", "--limit", "0"]) == "en"
    assert language_in(["search", "--language=en"]) == "en"
    # The last one given counts, as for argparse; one the site does not speak is the default.
    assert language_in(["--language", "en", "--language", "nb"]) == "nb"
    assert language_in(["--language", "sv"]) == "nb"
    assert language_in(["--language"]) == "nb"


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("--port", "80_80", "argument --port: forventet et heltall, fant «80_80»"),
        ("--port", "65536", "argument --port: må være fra 0 til 65535, fant 65536"),
        ("--workers", " 4", "argument --workers: forventet et heltall, fant « 4»"),
        ("--workers", "0", "argument --workers: må være minst 1, fant 0"),
    ],
)
def test_serve_refuses_a_bad_number_by_its_option(
    option: str, value: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as refused:
        sdgnet_main(["serve", f"{option}={value}"])
    assert refused.value.code == 2
    assert words in capsys.readouterr().err


def test_serve_refuses_a_bad_port_variable_as_its_port_option(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORT", "http")
    with pytest.raises(SystemExit) as refused:
        sdgnet_main(["serve"])
    assert refused.value.code == 2
    assert "argument --port: forventet et heltall, fant «http»" in capsys.readouterr().err
