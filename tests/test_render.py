"""Rendering helpers: cutting long HTML messages between lines, and the string catalog
(lookup, escaping, plurals, language choice, consistency checks)."""

from __future__ import annotations

import itertools
import random

import pytest

from bot.content.locales import Catalog, CatalogError, Html
from bot.render.split import TELEGRAM_LIMIT, split_lines, telegram_length
from bot.sandbox.telegram import check_telegram_html

# -- split_lines --------------------------------------------------------------------------------


def random_text(rng: random.Random, limit: int) -> str:
    """Non-empty lines of whole words; now and then one longer than `limit`."""
    words = ["a", "to", "the", "<b>bold</b>", "R&amp;D", "ñandú", "voice", "😀",
             "<i>a few quiet words</i>"]
    lines = []
    for _ in range(rng.randint(1, 40)):
        count = rng.randint(1, 12) if rng.random() < 0.8 else rng.randint(20, 80)
        lines.append(" ".join(rng.choice(words) for _ in range(count)))
    return "\n".join(lines)


def test_short_text_is_one_message():
    assert split_lines("<b>Title</b>\n\nline one\nline two") == [
        "<b>Title</b>\n\nline one\nline two"
    ]


def test_text_of_exactly_the_limit_is_one_message():
    text = "a" * 2000 + "\n" + "b" * (TELEGRAM_LIMIT - 2001)
    assert len(text) == TELEGRAM_LIMIT
    assert split_lines(text) == [text]


def test_lines_are_packed_greedily_and_cut_only_between_lines():
    lines = ["1234", "5678", "abcd", "efgh", "ij"]
    assert split_lines("\n".join(lines), limit=9) == ["1234\n5678", "abcd\nefgh", "ij"]
    assert split_lines("\n".join(lines), limit=10) == ["1234\n5678", "abcd\nefgh", "ij"]
    assert split_lines("\n".join(lines), limit=14) == ["1234\n5678\nabcd", "efgh\nij"]


@pytest.mark.parametrize("text", ["", "\n", "\n\n\n", "   \n  "])
def test_empty_or_blank_text_gives_no_messages(text):
    assert split_lines(text, limit=10) == []


@pytest.mark.parametrize("limit", [20, 64, 300])
def test_random_texts_round_trip_and_every_piece_fits(limit):
    rng = random.Random(limit)
    for _ in range(200):
        text = random_text(rng, limit)
        pieces = split_lines(text, limit)
        if all(telegram_length(line) <= limit for line in text.split("\n")):
            assert "\n".join(pieces) == text
        assert all(0 < telegram_length(piece) <= limit for piece in pieces)
        assert all(piece.strip() for piece in pieces)
        assert all(check_telegram_html(piece) == [] for piece in pieces)
        # Greedy: the next piece's first line would not have fitted in this piece.
        for piece, following in itertools.pairwise(pieces):
            assert telegram_length(piece) + 1 + telegram_length(following.split("\n")[0]) > limit


def test_a_long_line_is_cut_at_the_last_space_within_the_first_limit_characters():
    # "three four" is exactly 10 characters, but the space that follows it is outside the
    # first 10, so the cut falls at the space before "four".
    line = "one two three four five six"
    assert split_lines(line, limit=10) == ["one two", "three", "four five", "six"]
    assert split_lines("abc defgh ij", limit=10) == ["abc defgh", "ij"]


def test_a_long_line_without_spaces_is_cut_at_the_limit():
    assert split_lines("x" * 25, limit=10) == ["x" * 10, "x" * 10, "x" * 5]


def test_a_long_comment_among_short_lines_fits_and_keeps_its_words():
    comment = "Comment: " + " ".join(f"word{i}" for i in range(1500))
    text = "<b>Your answers in Town hall</b>\n" + comment + "\n<i>Given privately.</i>"
    pieces = split_lines(text)
    # The pieces of a cut line are not joined to the line before, so the title stays alone.
    assert [len(piece) for piece in pieces] == [32, 4090, 4095, 4094, 140]
    assert pieces[0] == "<b>Your answers in Town hall</b>"
    assert pieces[1].startswith("Comment: word0 word1 ")
    assert pieces[-1].endswith(" word1499\n<i>Given privately.</i>")
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())  # no word lost or cut


@pytest.mark.parametrize("limit", [22, 23, 31, 40, 100])
def test_lines_with_tags_are_never_cut_inside_a_tag(limit):
    # The longest line is 22 characters, so every cut falls between lines.
    text = "\n".join(["<b>x</b>", "<i>word</i> <b>two</b>", "<b>x</b>"] * 30)
    pieces = split_lines(text, limit=limit)
    assert len(pieces) > 1
    assert "\n".join(pieces) == text
    for piece in pieces:
        assert piece.count("<b>") == piece.count("</b>")
        assert piece.count("<i>") == piece.count("</i>")
        assert check_telegram_html(piece) == []


def test_blank_line_at_a_message_boundary_is_dropped():
    # Current behaviour: a blank separator line that would start a new message is dropped,
    # as are leading blank lines, so no message starts with an empty line.
    assert split_lines("a" * 10 + "\n\n" + "b" * 5, limit=10) == ["a" * 10, "b" * 5]
    assert split_lines("\n\nhello", limit=10) == ["hello"]


def test_no_piece_is_only_whitespace():
    assert split_lines(" \n" + "x" * 10, limit=10) == ["x" * 10]


def test_pieces_fit_telegrams_limit_in_utf16_units():
    comment = "Comment: " + "😀" * 2000
    pieces = split_lines(comment + "\n" + comment)
    assert [len(piece.encode("utf-16-le")) // 2 for piece in pieces] == [4009, 4009]


def test_a_hard_cut_never_splits_an_html_entity():
    pieces = split_lines("Comment: " + "&amp;" * 5, limit=12)
    assert all(check_telegram_html(piece) == [] for piece in pieces)


# -- the catalog: the real files ----------------------------------------------------------------


def test_real_catalogs_load_without_problems(catalog):
    assert catalog.languages == ("en", "es")
    assert catalog.problems() == []
    assert catalog.has("mydata.comment")
    assert not catalog.has("mydata.nope")


def test_values_are_escaped_in_real_strings(catalog):
    text = catalog.text("en", "mydata.comment", text='<b>R&D</b> "ok"')
    assert text == 'Comment: &lt;b&gt;R&amp;D&lt;/b&gt; "ok"'
    assert check_telegram_html(text) == []


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("en", 0, "👥 0 people have answered so far"),
        ("en", 1, "👥 1 person has answered so far"),
        ("en", 2, "👥 2 people have answered so far"),
        ("es", 0, "👥 Hasta ahora han respondido 0 personas"),
        ("es", 1, "👥 Hasta ahora ha respondido 1 persona"),
        ("es", 2, "👥 Hasta ahora han respondido 2 personas"),
    ],
)
def test_plural_picks_one_for_one_and_other_otherwise(catalog, language, count, expected):
    assert catalog.plural(language, "question.count", count) == expected


@pytest.mark.parametrize(
    ("candidates", "language"),
    [
        (("es-AR",), "es"),
        (("ES",), "es"),
        (("en-GB",), "en"),
        (("fr", "es-MX"), "es"),
        ((None, "", "es"), "es"),
        (("es", "en"), "es"),
        (("pt-BR",), "en"),
        ((None,), "en"),
        ((), "en"),
    ],
)
def test_language_for_picks_the_first_supported_candidate(catalog, candidates, language):
    assert catalog.language_for(*candidates) == language


def test_raw_falls_back_to_english_for_an_unknown_language(catalog):
    assert catalog.raw("de", "mydata.comment") == "Comment: {text}"


def test_raw_of_an_unknown_key_is_an_error(catalog):
    with pytest.raises(CatalogError, match=r"no string 'mydata\.nope'"):
        catalog.raw("en", "mydata.nope")


# -- the catalog: built by hand -----------------------------------------------------------------


def test_html_values_are_inserted_unescaped_and_others_escaped():
    catalog = Catalog({"en": {"line": "<b>{name}</b> said {what}"}})
    text = catalog.text("en", "line", name="Tom & Jerry", what=Html("<i>hi</i>"))
    assert text == "<b>Tom &amp; Jerry</b> said <i>hi</i>"
    assert catalog.text("en", "line", name=3, what="<3") == "<b>3</b> said &lt;3"


def test_problems_reports_missing_keys_other_placeholders_and_unknown_keys():
    catalog = Catalog(
        {
            "en": {"a": "Hi {name}", "b": "Bye", "c": "{count} of {total}"},
            "es": {"a": "Hola {nombre}", "c": "{total} de {count}", "z": "extra"},
        }
    )
    assert catalog.problems() == [
        "es: a has other placeholders than en",
        "es: missing b",
        "es: unknown key z",
    ]


def test_a_catalog_without_english_is_refused():
    with pytest.raises(CatalogError, match="the en catalog is required"):
        Catalog({"es": {"a": "hola"}})


def test_load_flattens_tables_and_refuses_inconsistent_files(tmp_path):
    (tmp_path / "en.toml").write_text('[question.count]\none = "{count} voice"\nother = "x"\n')
    (tmp_path / "es.toml").write_text('[question.count]\none = "{n} voz"\n')
    with pytest.raises(CatalogError) as caught:
        Catalog.load(tmp_path)
    assert str(caught.value) == (
        "es: question.count.one has other placeholders than en; es: missing question.count.other"
    )
    (tmp_path / "es.toml").write_text('[question.count]\none = "{count} voz"\nother = "y"\n')
    loaded = Catalog.load(tmp_path)
    assert loaded.plural("es", "question.count", 1) == "1 voz"
