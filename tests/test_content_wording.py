"""The checklist packs quote the source text exactly.

The English wording of the 15-pair civic-partnership checklist in
content/checklist-la.toml and content/checklist-cso.toml must be the wording of
"Strand VI: Seeking cooperative solutions" in the source text, with runs of
whitespace collapsed to one space. Labels, pair numbers and themes must follow
the numbering and section headings of the source.

The source lives outside the repository (shared/seed/ beside the clone); when it
is absent these tests are skipped.
"""

import re
import tomllib
from pathlib import Path

import pytest

from helpers.source_text import SOURCE, source_text

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"

SECTION_AFTER = "Strand VI:"
SECTION_START = "Defining valued outcomes"
SECTION_END = "Clearly these fifteen pairs"

ROMAN = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII",
    "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
]  # fmt: skip
ARABIC = [str(n) for n in range(1, 16)]

# "1.     How well ..." / "XV.How well ..." (the source has no space after XV.)
ITEM_LINE = re.compile(r"^(?P<label>[0-9]+|[IVXLC]+)\.\s*(?P<text>\S.*)$")

_cache: dict[str, object] = {}


def collapse(text: str) -> str:
    """Collapse every run of whitespace (including no-break spaces) to one space."""
    return re.sub(r"\s+", " ", text).strip()


def roman_to_int(label: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    total = 0
    for i, ch in enumerate(label):
        v = values[ch]
        if i + 1 < len(label) and values[label[i + 1]] > v:
            total -= v
        else:
            total += v
    return total


def source_items() -> dict[str, dict[str, tuple[str, str]]]:
    """Parse the checklist: {"la": {label: (heading, text)}, "cso": {...}}."""
    if "source" in _cache:
        return _cache["source"]  # type: ignore[return-value]
    text = source_text()
    after = text.find(SECTION_AFTER)
    assert after >= 0, f"{SECTION_AFTER!r} not found in {SOURCE}"
    start = text.find(SECTION_START, after)
    assert start >= 0, f"{SECTION_START!r} not found after {SECTION_AFTER!r}"
    end = text.find(SECTION_END, start)
    assert end >= 0, f"{SECTION_END!r} not found after {SECTION_START!r}"

    items: dict[str, dict[str, tuple[str, str]]] = {"la": {}, "cso": {}}
    order: dict[str, list[str]] = {"la": [], "cso": []}
    heading = None
    for raw in text[start:end].splitlines():
        line = raw.strip()
        if not line:
            continue
        m = ITEM_LINE.match(line)
        if m is None:
            heading = collapse(line)
            continue
        assert heading is not None, f"item {m['label']} appears before any heading"
        label = m["label"]
        side = "la" if label.isdigit() else "cso"
        assert label not in items[side], f"label {label} appears twice in the source"
        items[side][label] = (heading, collapse(m["text"]))
        order[side].append(label)

    assert order["la"] == ARABIC, f"source LA labels parsed as {order['la']}"
    assert order["cso"] == ROMAN, f"source CSO labels parsed as {order['cso']}"
    _cache["source"] = items
    return items


def load_pack(stem: str) -> dict:
    with (CONTENT / f"{stem}.toml").open("rb") as f:
        return tomllib.load(f)


def pack_items_by_label(pack: dict) -> dict[str, dict]:
    by_label: dict[str, dict] = {}
    for item in pack["items"]:
        label = item.get("label")
        assert label is not None, f"{pack['id']}: item {item.get('id')} has no label"
        assert label not in by_label, f"{pack['id']}: label {label} used twice"
        by_label[label] = item
    return by_label


SIDES = {
    # side: (pack stem, labels in source order, id prefix)
    "la": ("checklist-la", ARABIC, "la"),
    "cso": ("checklist-cso", ROMAN, "cso"),
}

CASES = [("la", label) for label in ARABIC] + [("cso", label) for label in ROMAN]


def test_source_section_has_five_headings_of_three_pairs():
    items = source_items()
    for side, (_, labels, _) in SIDES.items():
        headings: list[str] = []
        for label in labels:
            heading = items[side][label][0]
            if not headings or headings[-1] != heading:
                headings.append(heading)
        assert headings == [
            "Defining valued outcomes",
            "Engaging whole systems",
            "Co-producing the future",
            "Strengthening resilience",
            "Working inclusively",
        ], f"{side}: source headings parsed as {headings}"
        for i, label in enumerate(labels):
            assert items[side][label][0] == headings[i // 3], (side, label)


@pytest.mark.parametrize("side", sorted(SIDES))
def test_pack_holds_exactly_the_source_items(side):
    stem, labels, prefix = SIDES[side]
    pack = load_pack(stem)
    by_label = pack_items_by_label(pack)
    assert list(by_label) == labels, f"{stem}: labels are {list(by_label)}, expected {labels}"
    for n, label in enumerate(labels, start=1):
        assert by_label[label]["id"] == f"{prefix}-{n:02d}", (
            f"{stem}: item {label} has id {by_label[label]['id']!r}, expected {prefix}-{n:02d}"
        )


@pytest.mark.parametrize(("side", "label"), CASES, ids=[f"{s}-{lbl}" for s, lbl in CASES])
def test_checklist_item_matches_source(side, label):
    stem, _, _ = SIDES[side]
    heading, expected = source_items()[side][label]
    pack = load_pack(stem)
    item = pack_items_by_label(pack).get(label)
    assert item is not None, f"{stem}: no item with label {label}"

    actual = collapse(item["text"]["en"])
    assert actual == expected, (
        f"{stem} item {label}: English wording differs from the source\n"
        f"  source: {expected}\n"
        f"  pack:   {actual}"
    )

    number = int(label) if side == "la" else roman_to_int(label)
    assert item.get("pair") == number, (
        f"{stem} item {label}: pair is {item.get('pair')!r}, expected {number}"
    )

    theme = item.get("theme")
    themes = pack.get("themes", {})
    assert theme in themes, f"{stem} item {label}: theme {theme!r} is not declared"
    assert themes[theme]["en"] == heading, (
        f"{stem} item {label}: theme {theme!r} is named {themes[theme]['en']!r}, "
        f"but the source puts this item under {heading!r}"
    )


def test_both_sides_declare_the_same_themes():
    la = load_pack("checklist-la")
    cso = load_pack("checklist-cso")
    assert la["themes"] == cso["themes"]
    assert la.get("pairs_with") == "checklist-cso"
    assert cso.get("pairs_with") == "checklist-la"
    for pack in (la, cso):
        assert pack.get("attribution", {}).get("en"), f"{pack['id']}: attribution required"
