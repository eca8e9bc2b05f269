"""Content packs: the real library in content/ and the validator's refusals."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.content.packs import PackError, language_gaps, load_library, load_pack, summary_rows

CONTENT = Path(__file__).resolve().parents[1] / "content"

PACK_IDS = [
    "checklist-la", "checklist-cso", "theory-u", "three-steps",
    "resilience-tests", "inclusive-practices", "whole-systems", "well-being",
]  # fmt: skip
AUDIENCES = {
    "checklist-la": "both",  # a council officer can use it alone, in private
    "checklist-cso": "both",
    "theory-u": "both",
    "three-steps": "both",
    "resilience-tests": "group",
    "inclusive-practices": "group",
    "whole-systems": "group",
    "well-being": "personal",
}


@pytest.fixture(scope="module")
def library():
    return load_library(CONTENT)


# --- the real content ------------------------------------------------------


def test_library_has_the_eight_packs_in_display_order(library):
    assert len(library) == 8
    assert [pack.id for pack in library] == PACK_IDS
    orders = [pack.order for pack in library]
    assert orders == sorted(orders)
    assert len(set(orders)) == 8


def test_every_pack_is_in_english_and_spanish(library):
    for pack in library:
        assert pack.languages == ("en", "es"), pack.id
        assert set(pack.title) == {"en", "es"}, pack.id
        assert set(pack.description) == {"en", "es"}, pack.id


def test_every_item_has_non_blank_text_in_both_languages(library):
    count = 0
    for pack in library:
        for item in pack.items:
            assert set(item.text) == {"en", "es"}, (pack.id, item.id)
            assert item.text_in("en").strip() == item.text_in("en"), (pack.id, item.id)
            assert item.text_in("en") != "", (pack.id, item.id)
            assert item.text_in("es") != "", (pack.id, item.id)
            assert item.text_in("en") != item.text_in("es"), (pack.id, item.id)
            count += 1
    assert count == sum(len(pack.items) for pack in library)
    assert count >= 15 + 15 + 12


def test_item_positions_count_from_one(library):
    for pack in library:
        assert [item.position for item in pack.items] == list(range(1, len(pack.items) + 1))


def test_checklists_have_fifteen_items_each(library):
    la, cso = library["checklist-la"], library["checklist-cso"]
    assert len(la.items) == 15
    assert len(cso.items) == 15
    assert [item.id for item in la.items] == [f"la-{n:02d}" for n in range(1, 16)]
    assert [item.id for item in cso.items] == [f"cso-{n:02d}" for n in range(1, 16)]
    assert la.pairs_with == "checklist-cso"
    assert cso.pairs_with == "checklist-la"


def test_checklist_pairs_run_one_to_fifteen_and_themes_agree(library):
    la, cso = library["checklist-la"], library["checklist-cso"]
    assert sorted(item.pair for item in la.items) == list(range(1, 16))
    assert sorted(item.pair for item in cso.items) == list(range(1, 16))
    theirs = {item.pair: item for item in cso.items}
    for item in la.items:
        partner = theirs[item.pair]
        assert item.theme is not None, item.id
        assert partner.theme == item.theme, (item.id, partner.id)
        assert la.theme_name(item.theme, "en") == cso.theme_name(partner.theme, "en")


def test_checklists_answer_on_a_five_point_scale(library):
    for pack_id in ("checklist-la", "checklist-cso"):
        pack = library[pack_id]
        assert {item.answer for item in pack.items} == {"scale"}
        assert pack.scale["en"] == ("Not yet", "A little", "Partly", "Mostly", "Very well")
        assert len(pack.scale["es"]) == 5


def test_labels_follow_the_source_numbering(library):
    assert [item.label for item in library["checklist-la"].items[:3]] == ["1", "2", "3"]
    assert library["checklist-cso"].item("cso-15").label == "XV"


def test_theory_u_has_at_least_twelve_text_items(library):
    pack = library["theory-u"]
    assert len(pack.items) >= 12
    assert {item.answer for item in pack.items} == {"text"}
    assert pack.scale == {}


def test_audiences(library):
    assert {pack.id: pack.audience for pack in library} == AUDIENCES


def test_for_groups_and_for_individuals(library):
    assert [pack.id for pack in library.for_groups()] == [
        "checklist-la", "checklist-cso", "theory-u", "three-steps",
        "resilience-tests", "inclusive-practices", "whole-systems",
    ]  # fmt: skip
    assert [pack.id for pack in library.for_individuals()] == [
        "checklist-la", "checklist-cso", "theory-u", "three-steps", "well-being",
    ]  # fmt: skip
    assert library["well-being"].for_groups is False
    assert library["checklist-la"].for_individuals is True
    assert library["checklist-cso"].for_groups is True
    assert library["checklist-cso"].for_individuals is True


def test_library_lookup(library):
    assert "theory-u" in library
    assert "no-such-pack" not in library
    assert library.get("no-such-pack") is None
    assert library.get("well-being").id == "well-being"
    assert library["checklist-la"].item("la-07").id == "la-07"
    assert library["checklist-la"].item("cso-07") is None
    with pytest.raises(KeyError):
        library["no-such-pack"]


def test_summary_rows(library):
    rows = summary_rows(library)
    assert [row[0] for row in rows] == PACK_IDS
    assert rows[0] == ("checklist-la", "both", 15, "en,es")
    assert rows[1] == ("checklist-cso", "both", 15, "en,es")
    assert {row[3] for row in rows} == {"en,es"}


# --- broken packs ----------------------------------------------------------


def _value(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON strings, ints and lists are TOML


def item(item_id: str, *, en: str | None = "A question?", es: str | None = "¿Una pregunta?",
         **keys: object) -> str:
    lines = ["[[items]]", f"id = {_value(item_id)}"]
    lines += [f"{key} = {_value(value)}" for key, value in keys.items()]
    lines.append("[items.text]")
    lines += [f"{code} = {_value(text)}" for code, text in (("en", en), ("es", es)) if text]
    return "\n".join(lines) + "\n"


def pack(pack_id: str = "alpha", *, order: int = 1, head: str = "", tables: str = "",
         items: str | None = None) -> str:
    """A valid two-language pack unless the arguments break it."""
    if items is None:
        items = item("a-01") + item("a-02")
    return (
        f'schema = 1\nid = "{pack_id}"\norder = {order}\naudience = "group"\n'
        f'languages = ["en", "es"]\n{head}\n'
        '[title]\nen = "Alpha"\nes = "Alfa"\n'
        '[description]\nen = "A test pack."\nes = "Un paquete de prueba."\n'
        f"{tables}\n{items}"
    )


SCALE = (
    '[scale]\nen = ["1", "2", "3", "4", "5"]\n'
    'es = ["1", "2", "3", "4", "5"]\n'
)
THEME = '[themes.listening]\nen = "Listening"\nes = "Escuchar"\n'


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def copy_real(directory: Path, *pack_ids: str) -> None:
    for pack_id in pack_ids:
        shutil.copy(CONTENT / f"{pack_id}.toml", directory / f"{pack_id}.toml")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def error_of(directory: Path) -> str:
    with pytest.raises(PackError) as caught:
        load_library(directory)
    return str(caught.value)


def test_the_helpers_build_a_valid_pack(tmp_path):
    write(tmp_path, "alpha.toml", pack(
        head='default_answer = "scale"\n', tables=SCALE + THEME,
        items=item("a-01", theme="listening", label="1") + item("a-02", answer="text"),
    ))
    library = load_library(tmp_path)
    alpha = library["alpha"]
    assert [i.id for i in alpha.items] == ["a-01", "a-02"]
    assert [i.answer for i in alpha.items] == ["scale", "text"]
    assert alpha.items[0].theme == "listening"
    assert alpha.items[0].label == "1"
    assert alpha.items[1].text_in("es") == "¿Una pregunta?"
    assert alpha.theme_name("listening", "es") == "Escuchar"
    assert alpha.scale["en"] == ("1", "2", "3", "4", "5")
    assert alpha.path == tmp_path / "alpha.toml"


def test_invalid_toml(tmp_path):
    write(tmp_path, "alpha.toml", 'schema = 1\nid = "alpha\n')
    message = error_of(tmp_path)
    assert message.startswith("alpha.toml: not valid TOML (")


def test_unknown_top_level_key(tmp_path):
    write(tmp_path, "alpha.toml", pack(head='colour = "red"\n'))
    assert error_of(tmp_path) == "alpha.toml: unknown key(s) colour"


def test_id_must_equal_the_file_name(tmp_path):
    write(tmp_path, "beta.toml", pack("alpha"))
    assert error_of(tmp_path) == "beta.toml: id 'alpha' must equal the file name 'beta'"


@pytest.mark.parametrize("spanish", [None, "   "], ids=["missing", "blank"])
def test_missing_spanish_text_names_file_and_item(tmp_path, spanish):
    write(tmp_path, "alpha.toml", pack(items=item("a-01") + item("a-02", es=spanish)))
    assert error_of(tmp_path) == "alpha.toml, item a-02: text has no text in es"


def test_duplicate_item_id(tmp_path):
    write(tmp_path, "alpha.toml", pack(items=item("a-01") + item("a-02") + item("a-01")))
    assert error_of(tmp_path) == "alpha.toml, item a-01: duplicate item id"


def test_unknown_answer_type(tmp_path):
    write(tmp_path, "alpha.toml", pack(items=item("a-01", answer="yesno")))
    assert error_of(tmp_path) == (
        "alpha.toml, item a-01: answer type 'yesno' is not one of ('scale', 'text')"
    )


def test_scale_item_without_scale_table(tmp_path):
    write(tmp_path, "alpha.toml", pack(items=item("a-01") + item("a-02", answer="scale")))
    assert error_of(tmp_path) == (
        "alpha.toml, item a-02: answers on a scale but the pack has no [scale] labels"
    )


def test_scale_with_four_labels(tmp_path):
    four = '[scale]\nen = ["1", "2", "3", "4"]\nes = ["1", "2", "3", "4", "5"]\n'
    write(tmp_path, "alpha.toml", pack(head='default_answer = "scale"\n', tables=four))
    assert error_of(tmp_path) == "alpha.toml: scale in en must list exactly 5 labels"


def test_theme_not_declared(tmp_path):
    write(tmp_path, "alpha.toml", pack(tables=THEME, items=item("a-01", theme="nowhere")))
    assert error_of(tmp_path) == (
        "alpha.toml, item a-01: theme 'nowhere' is not declared in [themes]"
    )


def test_pair_number_without_pairs_with(tmp_path):
    write(tmp_path, "alpha.toml", pack(items=item("a-01", pair=1)))
    assert error_of(tmp_path) == (
        "alpha.toml, item a-01: has a pair number but the pack has no pairs_with"
    )


def test_pair_numbers_duplicated(tmp_path):
    copy_real(tmp_path, "checklist-la", "checklist-cso")
    edit(tmp_path / "checklist-la.toml", 'id = "la-02"\nlabel = "2"\n'
         'theme = "defining-valued-outcomes"\npair = 2\n',
         'id = "la-02"\nlabel = "2"\ntheme = "defining-valued-outcomes"\npair = 1\n')
    assert error_of(tmp_path) == "checklist-la.toml, item la-02: pair 1 is also used by la-01"


def test_pairs_with_names_a_missing_pack(tmp_path):
    copy_real(tmp_path, "checklist-la")
    assert error_of(tmp_path) == "checklist-la.toml: pairs_with 'checklist-cso' names no pack"


def test_partner_that_does_not_pair_back(tmp_path):
    copy_real(tmp_path, "checklist-la", "theory-u")
    edit(tmp_path / "checklist-la.toml", 'pairs_with = "checklist-cso"', 'pairs_with = "theory-u"')
    assert error_of(tmp_path) == (
        "checklist-la.toml: pairs with theory-u but theory-u does not pair back"
    )


def test_mismatched_theme_across_a_pair(tmp_path):
    copy_real(tmp_path, "checklist-la", "checklist-cso")
    edit(tmp_path / "checklist-cso.toml",
         'id = "cso-01"\nlabel = "I"\ntheme = "defining-valued-outcomes"',
         'id = "cso-01"\nlabel = "I"\ntheme = "working-inclusively"')
    assert error_of(tmp_path) == (
        "checklist-cso.toml, item cso-01: theme 'working-inclusively' differs from its pair "
        "la-01 ('defining-valued-outcomes')"
    )


def test_pair_number_with_no_partner(tmp_path):
    copy_real(tmp_path, "checklist-la", "checklist-cso")
    edit(tmp_path / "checklist-cso.toml", 'label = "XV"\ntheme = "working-inclusively"\npair = 15',
         'label = "XV"\ntheme = "working-inclusively"\npair = 16')
    assert error_of(tmp_path) == (
        "checklist-cso.toml, item cso-15: pair 16 has no partner in checklist-la"
    )


def test_duplicate_order_across_packs(tmp_path):
    copy_real(tmp_path, "theory-u", "three-steps")
    edit(tmp_path / "three-steps.toml", "order = 40", "order = 30")
    assert error_of(tmp_path) == "three-steps.toml: order 30 is also used by theory-u"


def test_empty_directory(tmp_path):
    assert error_of(tmp_path) == f"{tmp_path}: no content packs (*.toml) found"


def test_missing_directory(tmp_path):
    missing = tmp_path / "nowhere"
    assert error_of(missing) == f"{missing}: no content packs (*.toml) found"


def test_one_broken_pack_among_real_ones_fails_the_library(tmp_path):
    copy_real(tmp_path, *PACK_IDS)
    write(tmp_path, "zeta.toml", pack("zeta", order=99, items=item("z-01", es=None)))
    assert error_of(tmp_path) == "zeta.toml, item z-01: text has no text in es"


def test_item_that_is_not_a_table(tmp_path):
    # A top-level key must come before the first table.
    path = write(tmp_path, "alpha.toml", 'items = ["a question"]\n' + pack(items=""))
    with pytest.raises(PackError, match=r"^alpha\.toml"):
        load_pack(path)


# --- items that refer back, theme notes, a missing language --------------------------------------


def test_refers_to_names_an_earlier_item(tmp_path):
    write(tmp_path, "alpha.toml", pack(items=item("a-01") + item("a-02", refers_to="a-01")))
    alpha = load_library(tmp_path)["alpha"]
    assert alpha.earlier(alpha.items[1]) is alpha.items[0]
    assert alpha.earlier(alpha.items[0]) is None


@pytest.mark.parametrize("target", ["a-02", "a-03", "a-09"], ids=["itself", "later", "unknown"])
def test_refers_to_anything_but_an_earlier_item_is_refused(tmp_path, target):
    write(tmp_path, "alpha.toml", pack(
        items=item("a-01") + item("a-02", refers_to=target) + item("a-03")))
    assert error_of(tmp_path) == (
        f"alpha.toml, item a-02: refers_to '{target}' is not an earlier item")


def test_a_theme_note_shows_with_the_first_item_of_its_theme_only(tmp_path):
    note = '[theme_notes.listening]\nen = "Hear others out."\nes = "Escuchar a fondo."\n'
    write(tmp_path, "alpha.toml", pack(tables=THEME + note, items=item(
        "a-01", theme="listening") + item("a-02", theme="listening")))
    alpha = load_library(tmp_path)["alpha"]
    assert alpha.theme_note(alpha.items[0], "es") == "Escuchar a fondo."
    assert alpha.theme_note(alpha.items[1], "es") is None


def test_a_theme_note_needs_a_declared_theme_and_every_language(tmp_path):
    speaking = '[theme_notes.speaking]\nen = "x"\nes = "y"\n'
    write(tmp_path, "alpha.toml", pack(tables=THEME + speaking))
    assert error_of(tmp_path) == "alpha.toml: theme_notes for undeclared theme(s) speaking"
    write(tmp_path, "alpha.toml", pack(tables=THEME + '[theme_notes.listening]\nen = "x"\n'))
    assert error_of(tmp_path) == "alpha.toml: theme note listening has no text in es"


def test_language_gaps_name_the_pack_the_language_and_what_is_shown(tmp_path):
    english = pack().replace('languages = ["en", "es"]', 'languages = ["en"]')
    english = "\n".join(line for line in english.splitlines() if not line.startswith("es = "))
    write(tmp_path, "alpha.toml", english)
    library = load_library(tmp_path)
    assert language_gaps(library, ("en", "es")) == [
        "alpha has no es text: es chats will read it in en"]
    assert language_gaps(load_library(CONTENT), ("en", "es")) == []
