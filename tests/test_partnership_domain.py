"""The partnership's pure rules: codes, who may link, the privacy of what
crosses, the gap table's numbers and order, the agenda, and "your partner
is asked the same this week"."""

from __future__ import annotations

import ast
from dataclasses import fields, is_dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random

import pytest

from bot.domain import partner_link as link_rules
from bot.domain import partnership as p
from bot.domain.partner_link import CODE_ALPHABET, PartnerCode, Refusal
from bot.domain.partnership import ItemTally, PairSpec, PartnerProgramme, Side, Standing

NOW = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
COUNCIL, CSO, OTHER_CSO = -100, -200, -300


# -- codes --------------------------------------------------------------------------------------


def test_codes_avoid_look_alike_characters_and_read_in_two_halves():
    assert not set("0O1I") & set(CODE_ALPHABET)
    codes = {link_rules.new_code(Random(seed)) for seed in range(200)}
    assert len(codes) == 200  # 40 bits: no repeats in a handful
    for code in codes:
        assert len(code) == 8 and set(code) <= set(CODE_ALPHABET)
        shown = link_rules.display_code(code)
        assert shown == f"{code[:4]}-{code[4:]}"
        assert link_rules.normalise_code(shown) == code


@pytest.mark.parametrize("typed", ["hx7k-3mpq", " HX7K 3MPQ ", "HX7K3MPQ", "hx7k_3mpq"])
def test_a_typed_code_is_forgiven_its_case_spaces_and_dashes(typed):
    assert link_rules.normalise_code(typed) == "HX7K3MPQ"


@pytest.mark.parametrize("typed", ["", "HX7K-3MP", "HX7K-3MPQX", "HX7K-3MP0", "HX7K-3MPI",
                                   "HX7K-3MPÑ", "../../etc"])
def test_what_cannot_be_a_code_is_refused_before_any_lookup(typed):
    assert link_rules.normalise_code(typed) is None


def test_only_a_hash_of_the_code_is_kept():
    hashed = link_rules.code_hash("HX7K3MPQ")
    assert hashed == link_rules.code_hash("HX7K3MPQ")
    assert hashed != link_rules.code_hash("HX7K3MPR")
    assert "HX7K" not in hashed.upper() and len(hashed) == 64


def test_a_code_is_valid_for_seven_days():
    assert link_rules.code_expiry(NOW) == NOW + timedelta(days=7)


# -- who may link -------------------------------------------------------------------------------


def code(chat_id=COUNCIL, side="la", *, used=False, expires=NOW + timedelta(days=1)):
    return PartnerCode(7, chat_id, side, NOW - timedelta(days=6), expires,
                       NOW - timedelta(hours=1) if used else None)


def refusal(found, *, typed_ok=True, chat_id=CSO, side=Side.CSO, issuer_side=Side.LA,
            partners=()):
    return link_rules.redemption_refusal(found, typed_ok=typed_ok, now=NOW, chat_id=chat_id,
                                         side=side, issuer_side=issuer_side, partners=partners)


def test_a_valid_code_from_the_other_side_links():
    assert refusal(code()) is None
    # and the other way round: a civil-society group's code used by a council group
    assert refusal(code(CSO, "cso"), chat_id=COUNCIL, side=Side.LA, issuer_side=Side.CSO) is None


@pytest.mark.parametrize(
    ("found", "options", "expected"),
    [
        (code(), {"side": None}, Refusal.NOT_ON_CHECKLIST),
        (None, {"typed_ok": False}, Refusal.MALFORMED),
        (None, {}, Refusal.UNKNOWN),
        (code(used=True), {}, Refusal.USED),
        (code(expires=NOW), {}, Refusal.EXPIRED),
        (code(expires=NOW - timedelta(seconds=1)), {}, Refusal.EXPIRED),
        (code(CSO, "cso"), {"issuer_side": Side.CSO}, Refusal.OWN_CODE),
        (code(), {"issuer_side": None}, Refusal.ISSUER_LEFT),
        (code(), {"issuer_side": Side.CSO}, Refusal.ISSUER_LEFT),  # it changed sides
        (code(OTHER_CSO, "cso"), {"issuer_side": Side.CSO}, Refusal.SAME_SIDE),
        (code(COUNCIL, "la"), {"chat_id": -400, "side": Side.LA}, Refusal.SAME_SIDE),
        (code(), {"partners": (COUNCIL,)}, Refusal.ALREADY),
    ],
    ids=["not-on-checklist", "malformed", "forged", "reused", "expires-now", "expired",
         "own-code", "issuer-left", "issuer-switched", "two-csos", "two-councils", "already"],
)
def test_refusals(found, options, expected):
    assert refusal(found, **options) is expected


def test_the_partnership_record_knows_each_groups_side_and_partner():
    link = link_rules.Partnership(1, COUNCIL, CSO, NOW)
    assert (link.side_of(COUNCIL), link.side_of(CSO)) == (Side.LA, Side.CSO)
    assert (link.partner_of(COUNCIL), link.partner_of(CSO)) == (CSO, COUNCIL)
    assert link.chat_of(Side.CSO) == CSO and link.includes(CSO) and not link.includes(-1)
    with pytest.raises(ValueError, match="not in partnership"):
        link.side_of(OTHER_CSO)


def test_the_wizard_offers_the_checklist_once_only_when_both_sides_exist():
    assert p.checklist_sides(["checklist-la", "checklist-cso", "theory-u"]) == {
        "checklist": ("checklist-la", "checklist-cso")}
    assert p.checklist_sides(["checklist-cso", "theory-u"]) == {}
    assert (p.side_of_pack("checklist-la"), p.side_of_pack("checklist-cso"),
            p.side_of_pack("theory-u"), p.side_of_pack(None)) == (Side.LA, Side.CSO, None, None)


# -- what crosses, and the gap table ----------------------------------------------------------

PAIRS = (
    PairSpec(1, "outcomes", "la-01", "cso-01"),
    PairSpec(2, "outcomes", "la-02", "cso-02"),
    PairSpec(3, "outcomes", "la-03", "cso-03"),
    PairSpec(4, "systems", "la-04", "cso-04"),
    PairSpec(5, "systems", "la-05", "cso-05"),
    PairSpec(7, "future", "la-07", "cso-07"),
)
THEMES = ("outcomes", "systems", "future")
# Hand-computed: each side's average is total / respondents.
LA = {
    "la-01": ItemTally(3, 12),  # 4.0
    "la-02": ItemTally(5, 15),  # 3.0
    "la-03": ItemTally(4, 14),  # 3.5
    "la-04": ItemTally(3, 6),  # 2.0
    "la-05": ItemTally(2, 8),  # two people: withheld
}
CSO_SIDE = {
    "cso-01": ItemTally(4, 10),  # 2.5  -> gap 1.5
    "cso-02": ItemTally(3, 9),  # 3.0  -> gap 0.0
    "cso-03": ItemTally(3, 11),  # 3.667 -> gap 0.167
    "cso-04": ItemTally(3, 15),  # 5.0  -> gap 3.0
    "cso-05": ItemTally(3, 12),  # 4.0, but the council's side is withheld
    "cso-07": ItemTally(1, 5),  # one person: withheld
}


def view(viewer=Side.CSO, la=LA, cso=CSO_SIDE):
    return p.compare(PAIRS, {Side.LA: la, Side.CSO: cso}, viewer, THEMES)


@pytest.mark.parametrize(
    ("tally", "standing", "mean"),
    [(None, Standing.NONE, None), (ItemTally(0, 0), Standing.NONE, None),
     (ItemTally(1, 5), Standing.TOO_FEW, None), (ItemTally(2, 9), Standing.TOO_FEW, None),
     (ItemTally(3, 10), Standing.SCORED, 10 / 3)],
)
def test_a_sides_score_needs_three_people(tally, standing, mean):
    assert p.side_score(tally) == p.SideScore(standing, mean)


def test_the_gap_table_widest_first_grouped_by_theme():
    seen = view()
    assert [theme.theme for theme in seen.themes] == ["systems", "outcomes"]
    rows = [(c.pair.number, c.ours.mean, c.theirs.mean, c.gap) for c in seen.compared]
    assert rows == [
        (4, 5.0, 2.0, 3.0),
        (1, 2.5, 4.0, 1.5),
        (3, pytest.approx(11 / 3), 3.5, pytest.approx(1 / 6)),
        (2, 3.0, 3.0, 0.0),
    ]
    # Pair 5: the civil-society side's 4.0 shows, the council's two ratings do not.
    assert [(c.pair.number, c.ours, c.theirs) for c in seen.one_sided] == [
        (5, p.SideScore(Standing.SCORED, 4.0), p.SideScore(Standing.TOO_FEW, None))]
    # Pair 7: one rating on one side, none on the other: a topic to take up.
    assert [(c.pair.number, c.ours.standing, c.theirs.standing) for c in seen.unanswered] == [
        (7, Standing.TOO_FEW, Standing.NONE)]
    assert not seen.complete


def test_the_council_sees_the_same_numbers_the_other_way_round():
    council, cso = view(Side.LA), view(Side.CSO)
    assert [(c.pair, c.ours, c.theirs) for c in council.compared] == [
        (c.pair, c.theirs, c.ours) for c in cso.compared]


def test_chart_bars_average_only_the_pairs_both_sides_scored():
    bars = {bar.theme: bar for bar in view().bars}
    assert list(bars) == list(THEMES)
    assert bars["outcomes"].ours == pytest.approx((2.5 + 3.0 + 11 / 3) / 3)
    assert bars["outcomes"].theirs == pytest.approx((4.0 + 3.0 + 3.5) / 3)
    # Pair 5's one-sided 4.0 is left out, so both bars stand on pair 4 alone.
    assert (bars["systems"].ours, bars["systems"].theirs, bars["systems"].gap) == (5.0, 2.0, 3.0)
    assert (bars["future"].ours, bars["future"].theirs, bars["future"].gap) == (None, None, None)


def test_one_rating_less_withholds_a_pair_on_that_side_only():
    fewer = dict(CSO_SIDE, **{"cso-04": ItemTally(2, 10)})
    seen = view(cso=fewer)
    assert 4 not in [c.pair.number for c in seen.compared]
    assert [c.pair.number for c in seen.one_sided] == [4, 5]
    assert seen.one_sided[0].theirs.mean == 2.0 and seen.one_sided[0].ours.mean is None


def test_nothing_but_means_and_standings_leave_the_domain():
    allowed = (float, int, str, type(None), Standing, Side)

    def walk(value):
        if is_dataclass(value):
            for field in fields(value):
                walk(getattr(value, field.name))
        elif isinstance(value, tuple):
            for part in value:
                walk(part)
        else:
            assert isinstance(value, allowed), value

    seen = view()
    walk(seen)
    names = {field.name for field in fields(p.SideScore)}
    assert names == {"standing", "mean"}  # no count of people, no single rating


def test_complete_when_both_sides_scored_every_pair():
    full = {pair.la_item: ItemTally(3, 9) for pair in PAIRS}
    other = {pair.cso_item: ItemTally(4, 16) for pair in PAIRS}
    assert view(Side.LA, full, other).complete
    assert not p.compare(PAIRS, {}, Side.LA, THEMES).complete


# -- the agenda ---------------------------------------------------------------------------------


def test_agenda_widest_gaps_strongest_shared_scores_and_openers():
    la = {f"la-0{n}": ItemTally(3, t) for n, t in ((1, 12), (2, 15), (3, 6), (4, 9), (5, 12),
                                                    (7, 9))}
    cso = {f"cso-0{n}": ItemTally(3, t) for n, t in ((1, 6), (2, 12), (3, 15), (4, 9), (5, 15),
                                                      (7, 3))}
    # means (la, cso): 1 (4,2) gap 2; 2 (5,4) gap 1; 3 (2,5) gap 3; 4 (3,3) gap 0;
    # 5 (4,5) gap 1; 7 (3,1) gap 2.
    agenda = p.agenda(view(Side.LA, la, cso))
    assert [c.pair.number for c in agenda.widest] == [3, 1, 7]
    # Of the rest, the highest lower score: 2 (5, 4) and 5 (4, 5) tie at 4 with the same
    # sum, so checklist order; then 4 (3, 3).
    assert [c.pair.number for c in agenda.strongest] == [2, 5, 4]
    assert [(o.kind, o.pair.pair.number) for o in agenda.openers] == [
        (p.Opener.GAP, 3), (p.Opener.STRENGTH, 2), (p.Opener.LOWEST, 7)]


def test_agenda_asks_about_an_untouched_pair_when_there_is_one():
    agenda = p.agenda(view())
    assert [c.pair.number for c in agenda.widest] == [4, 1, 3]
    assert [c.pair.number for c in agenda.strongest] == [2]
    assert agenda.openers[-1] == p.AgendaOpener(p.Opener.UNTOUCHED, view().unanswered[0])


def test_no_agenda_without_a_compared_pair():
    agenda = p.agenda(p.compare(PAIRS, {}, Side.CSO, THEMES))
    assert agenda.empty and agenda.openers == ()


# -- asked the same this week ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("programme", "expected"),
    [
        (PartnerProgramme(NOW - timedelta(days=2), "cso-05", None, False), True),
        (PartnerProgramme(NOW - timedelta(days=7), None, None, False), True),
        (PartnerProgramme(NOW - timedelta(days=8), "cso-05", NOW, False), False),
        (PartnerProgramme(None, "cso-04", NOW + timedelta(days=3), False), True),
        (PartnerProgramme(None, "cso-04", NOW + timedelta(days=7), False), True),
        (PartnerProgramme(None, "cso-04", NOW + timedelta(days=8), False), False),
        (PartnerProgramme(None, "cso-04", NOW + timedelta(days=1), True), False),
        (PartnerProgramme(None, "cso-05", NOW + timedelta(days=1), False), False),
        (PartnerProgramme(None, None, None, False), False),
    ],
    ids=["asked-2-days-ago", "asked-a-week-ago", "asked-8-days-ago", "next-in-3-days",
         "next-in-7-days", "next-in-8-days", "paused", "another-item-next", "no-programme"],
)
def test_asked_the_same_this_week(programme, expected):
    assert p.asked_the_same_this_week(programme, "cso-04", NOW) is expected


# -- layering -------------------------------------------------------------------------------------

BOT = Path(__file__).resolve().parent.parent / "bot"
FORBIDDEN = {
    "domain/partnership.py": ("telegram", "sqlite3", "aiosqlite", "apscheduler", "bot.store",
                              "bot.handlers", "bot.render", "bot.services", "bot.services.tick"),
    "domain/partner_link.py": ("telegram", "sqlite3", "aiosqlite", "apscheduler", "bot.store",
                               "bot.handlers", "bot.render", "bot.services", "bot.services.tick"),
    "store/partnerships.py": ("telegram", "bot.handlers", "bot.render", "bot.services"),
    "render/partnership.py": ("bot.store", "bot.services", "bot.handlers", "sqlite3"),
    "render/partner_link.py": ("bot.store", "bot.services", "bot.handlers", "sqlite3"),
    "render/partnership_chart.py": ("bot.store", "bot.services", "bot.handlers", "sqlite3"),
    "services/partnership.py": ("bot.handlers", "bot.services.tick", "sqlite3", "aiosqlite"),
    "handlers/partnership.py": ("bot.services.tick", "sqlite3", "aiosqlite"),
}


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", sorted(FORBIDDEN))
def test_partnership_modules_import_only_downwards(module):
    found = imported(BOT / module)
    assert found, module
    wrong = {name for name in found for banned in FORBIDDEN[module]
             if name == banned or name.startswith(banned + ".")}
    assert wrong == set()
