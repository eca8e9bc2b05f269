"""callback_data: every button we encode decodes back, fits Telegram's 64 bytes, and anything
else (stale, forged or garbled) decodes to None without raising."""

from __future__ import annotations

import random
import zoneinfo

import pytest

from bot.domain import design_tests
from bot.domain import setup as wizard
from bot.domain.schedule import WEEKDAYS
from bot.render.callbacks import (
    DESIGN_TESTS,
    ActionChoice,
    CheckIn,
    Commit,
    DesignAsk,
    DesignProfile,
    DesignRate,
    ForgetConfirm,
    Journal,
    NoteShare,
    Quote,
    Rate,
    SetupChoice,
    decode,
    encode,
)

BIGGEST_ID = 10**15  # far beyond any prompt or Telegram user id we will see
LONGEST_PACK_ID = "a" + "-" * 39  # packs.py: ^[a-z][a-z0-9-]{0,39}$


def utf8_len(text: str) -> int:
    return len(text.encode())


# -- round trips --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("callback", "data"),
    [
        (Rate(1, 0), "1|r|1|0"),
        (Rate(7, 3), "1|r|7|3"),
        (Rate(BIGGEST_ID, 5), "1|r|1000000000000000|5"),
        (Quote(1, True), "1|q|1|1"),
        (Quote(1, False), "1|q|1|0"),
        (Quote(BIGGEST_ID, True), "1|q|1000000000000000|1"),
        (SetupChoice("c", "twice-weekly"), "1|s|c|twice-weekly"),
        (SetupChoice("t", "09:00"), "1|s|t|09:00"),
        (SetupChoice("z", "Etc/GMT+5"), "1|s|z|Etc/GMT+5"),
        (ForgetConfirm(4242, True), "1|f|4242|1"),
        (ForgetConfirm(BIGGEST_ID, False), "1|f|1000000000000000|0"),
        (ActionChoice(12, "vol"), "1|a|12|vol"),
        (ActionChoice(BIGGEST_ID, "m1"), "1|a|1000000000000000|m1"),
        (CheckIn(12, "stuck"), "1|c|12|stuck"),
        (NoteShare(12, False), "1|n|12|0"),
        (DesignAsk(12), "1|t|12"),
        (DesignRate(12, "soc", 4), "1|d|12|soc|4"),
        (DesignRate(BIGGEST_ID, "lnk", 5), "1|d|1000000000000000|lnk|5"),
        (DesignProfile(12), "1|p|12"),
        (Commit(12, "w1"), "1|m|12|w1"),
        (Commit(BIGGEST_ID, "no"), "1|m|1000000000000000|no"),
    ],
    ids=repr,
)
def test_each_kind_encodes_to_its_documented_form_and_decodes_back(callback, data):
    assert encode(callback) == data
    assert decode(data) == callback


@pytest.mark.parametrize("value", range(6))
def test_every_scale_value_including_skip_round_trips(value):
    assert decode(encode(Rate(123, value))) == Rate(123, value)


def test_every_wizard_button_round_trips_within_64_bytes():
    choices = [SetupChoice(wizard.PROGRAMME, LONGEST_PACK_ID)]
    choices += [SetupChoice(wizard.CADENCE, c) for c in wizard.GROUP_CADENCES]
    choices += [SetupChoice(wizard.DAYS, d) for d in WEEKDAYS]
    choices += [SetupChoice(wizard.TIME, t) for t in wizard.TIMES]
    choices += [SetupChoice(wizard.TIMEZONE, z) for z in wizard.COMMON_TIMEZONES]
    choices += [SetupChoice(wizard.LANGUAGE, code) for code in ("en", "es")]
    choices += [SetupChoice(wizard.NAMES, v) for v in ("names", "counts")]
    assert len(choices) == 1 + 4 + 7 + 9 + 6 + 2 + 2
    for choice in choices:
        data = encode(choice)
        assert utf8_len(data) <= 64, data
        assert decode(data) == choice
    assert encode(SetupChoice(wizard.PROGRAMME, LONGEST_PACK_ID)) == "1|s|p|" + LONGEST_PACK_ID


def test_every_iana_time_zone_fits_in_a_setup_button():
    # /timezone accepts any IANA name, so each must survive a button round trip.
    zones = sorted(zoneinfo.available_timezones())
    assert "America/Argentina/Buenos_Aires" in zones
    lengths = []
    for zone in zones:
        data = encode(SetupChoice(wizard.TIMEZONE, zone))
        assert decode(data) == SetupChoice(wizard.TIMEZONE, zone)
        lengths.append(utf8_len(data))
    assert encode(SetupChoice("z", "America/Argentina/Buenos_Aires")) == (
        "1|s|z|America/Argentina/Buenos_Aires"
    )
    assert max(lengths) <= 64


def test_the_design_tests_on_buttons_are_the_domains():
    assert DESIGN_TESTS == design_tests.TESTS
    for test in DESIGN_TESTS:
        for value in range(1, 6):
            assert decode(encode(DesignRate(9, test, value))) == DesignRate(9, test, value)
    for data in ("1|d|9|soc|0", "1|d|9|soc|6", "1|d|9|xyz|3", "1|d|9|soc", "1|t|0", "1|p|x"):
        assert decode(data) is None, data


def test_largest_ids_stay_within_64_bytes():
    longest = [
        encode(Rate(BIGGEST_ID, 5)),
        encode(Quote(BIGGEST_ID, False)),
        encode(ForgetConfirm(BIGGEST_ID, True)),
    ]
    assert [utf8_len(data) for data in longest] == [22, 22, 22]


# -- decode rejects -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        # version
        "2|r|5|3",
        "0|q|5",
        "|r|5|3",
        "r|5|3",
        "1",
        "1|",
        # kind
        "1|x|5",
        "1|R|5|3",
        "1||5",
        # field count
        "1|r|5",
        "1|r|5|3|4",
        "1|q",
        "1|q|5|6",
        "1|s|z",
        "1|s|z|UTC|x",
        "1|f|5",
        "1|f|5|1|1",
        # empty field
        "1|q|",
        "1|s||UTC",
        "1|s|z|",
        # ids: non-numeric, zero, negative, leading zero, signs, underscores
        "1|q|abc",
        "1|q|5a",
        "1|q|0",
        "1|q|-5",
        "1|q|05",
        "1|q|+5",
        "1|q|1_000",
        "1|r|0|3",
        "1|r|-1|3",
        "1|r|007|3",
        "1|f|0|1",
        "1|f|-4242|1",
        "1|f|04242|1",
        # ids past a signed 64-bit integer, pages past the journal's bound
        "1|r|99999999999999999999|3",
        "1|r|9223372036854775808|3",
        "1|q|18446744073709551616|1",
        "1|f|9223372036854775808|1",
        "1|g|99999999999999999999",
        "1|u|9223372036854775808|end",
        "1|v|9223372036854775808|la|0",
        "1|j|100001|-",
        "1|j|99999999999999999999|-",
        "1|a|9223372036854775808|vol",
        "1|c|0|done",
        # an action's choice, a check-in's answer or a share flag we never send
        "1|a|5|toggle",
        "1|a|5|w3",
        "1|c|5|maybe",
        "1|n|5|2",
        "1|a|5",
        # scale value outside 0..5, or not a number
        "1|r|5|6",
        "1|r|5|-1",
        "1|r|5|10",
        "1|r|5|x",
        # confirmation flag other than 0/1
        "1|f|5|2",
        "1|f|5|yes",
        "1|f|5|01",
        # characters outside the token alphabet
        "1|s|z|Europe London",
        "1|q| 5",
        "1|q|5 ",
        "1|s|z|Europé/Paris",
        "1|q|٣",
        "1|s|z|a<b",
        # over 64 bytes, even with otherwise valid fields
        "1|s|" + "a" * 30 + "|" + "b" * 30,
        "1|s|z|" + "é" * 30,
    ],
)
def test_decode_returns_none_for_anything_we_did_not_encode(data):
    assert decode(data) is None


def test_a_pipe_inside_a_value_changes_the_field_count_and_is_rejected():
    assert decode("1|s|z|America|Bogota") is None


def test_longest_valid_token_decodes_but_one_more_character_does_not():
    assert decode("1|s|p|" + "a" * 40) == SetupChoice("p", "a" * 40)
    assert decode("1|s|p|" + "a" * 41) is None


def random_data(rng: random.Random) -> str:
    mode = rng.randrange(3)
    if mode == 0:  # arbitrary bytes, as a client could send them
        return rng.randbytes(rng.randint(0, 80)).decode("utf-8", errors="replace")
    if mode == 1:  # our separators and digits in random order
        return "".join(
            rng.choice("1|rqsf0123456789-+_:/. \x00é😀") for _ in range(rng.randint(0, 70))
        )
    # almost well-formed: a known or unknown kind and a few random fields
    field_chars = "0123456789" * 4 + "-+_:/. éa|\n"
    fields = [
        "".join(rng.choice(field_chars) for _ in range(rng.randint(0, 4)))
        for _ in range(rng.randint(0, 3))
    ]
    return "|".join(["1", rng.choice("rqsfx"), *fields])


def test_decode_never_raises_on_random_data():
    rng = random.Random(20260302)
    decoded = 0
    for _ in range(600):
        data = random_data(rng)
        result = decode(data)  # must not raise
        if result is not None:
            decoded += 1
            assert utf8_len(data) <= 64
            assert decode(encode(result)) == result, data
    assert decoded > 0  # the generator does reach the accepting branches


@pytest.mark.parametrize("value", ["03", "+3", "0_3"])
def test_scale_value_must_be_a_single_digit(value):
    assert decode(f"1|r|5|{value}") is None


@pytest.mark.parametrize("data", ["1|s|z|UTC\n", "1|s|t|09:00\n", "1|r|5|3\n"])
def test_a_trailing_newline_is_not_part_of_any_field(data):
    assert decode(data) is None


# -- encode rejects -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "callback",
    [
        SetupChoice("z", "America|Bogota"),
        SetupChoice("z", "Europe London"),
        SetupChoice("z", ""),
        SetupChoice("", "UTC"),
        SetupChoice("z", "Europé/Paris"),
        SetupChoice("p", "a" * 41),
        Rate(10**41, 1),
    ],
    ids=["pipe", "space", "empty-value", "empty-step", "non-ascii", "41-chars", "huge-id"],
)
def test_encode_refuses_fields_that_could_not_be_decoded(callback):
    with pytest.raises(ValueError, match="too long or has a bad field"):
        encode(callback)


def test_encode_refuses_data_over_64_bytes():
    # Both fields are valid tokens (40 characters each), but together they are too long.
    with pytest.raises(ValueError, match="too long or has a bad field"):
        encode(SetupChoice("s" * 40, "v" * 40))


def test_encode_refuses_something_that_is_not_a_callback():
    with pytest.raises(TypeError, match="not a callback"):
        encode("1|q|5")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "callback",
    [
        Rate(0, 3),
        Rate(-5, 3),
        Rate(5, 6),
        Rate(5, -1),
        Quote(0, True),
        ForgetConfirm(0, True),
        Rate(2**63, 3),
        ForgetConfirm(2**63, True),
        SetupChoice("t", "09:00\n"),
    ],
    ids=repr,
)
def test_encode_refuses_ids_and_values_that_decode_rejects(callback):
    with pytest.raises(ValueError, match="too long or has a bad field"):
        encode(callback)


def test_the_largest_signed_64_bit_id_and_page_bound_still_decode():
    biggest = 2**63 - 1
    assert decode(f"1|r|{biggest}|3") == Rate(biggest, 3)
    assert decode(f"1|f|{biggest}|0") == ForgetConfirm(biggest, False)
    assert decode("1|j|100000|-") == Journal(100_000, None)
