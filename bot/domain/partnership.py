"""Two groups, one checklist: a council group answering items 1-15 and a
civil-society group answering items I-XV, linked so that each sees the
other's averages beside its own (how they link: bot/domain/partner_link.py).
Pure: no Telegram, no SQL, no text.

The privacy rules live here, not in rendering, so no renderer can show what
they hide:

- only aggregates cross between groups: what the store hands over per item
  is a count of people and a sum of their ratings (`ItemTally`), and what
  leaves this module is a mean or nothing; no name, comment or single rating
  is ever part of a `PartnershipView`;
- a side's score for a pair is withheld unless at least MIN_RESPONDENTS
  people rated it (with one or two, the partner could guess who said what);
- each person counts once per item, with their latest rating, whether they
  answered in the group or privately (the store reads only group questions,
  never a personal journal; a member who used /forget has no answers left
  to count).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.summary import MIN_RESPONDENTS


class Side(StrEnum):
    LA = "la"  # a council or other public body: items 1-15
    CSO = "cso"  # a civil-society organisation: items I-XV

    @property
    def other(self) -> Side:
        return Side.CSO if self is Side.LA else Side.LA


PACK_OF_SIDE = {Side.LA: "checklist-la", Side.CSO: "checklist-cso"}
# The one programme /setup offers for both packs; the side is asked next.
CHECKLIST = "checklist"


def side_of_pack(pack_id: str | None) -> Side | None:
    return next((side for side, pack in PACK_OF_SIDE.items() if pack == pack_id), None)


def checklist_sides(pack_ids: Collection[str]) -> dict[str, tuple[str, ...]]:
    """{programme: its side packs} for the wizard: the checklist when both of
    its packs are on offer, else nothing."""
    packs = tuple(PACK_OF_SIDE.values())
    return {CHECKLIST: packs} if all(pack in pack_ids for pack in packs) else {}


# -- the two sides, side by side -----------------------------------------------------------------


@dataclass(frozen=True)
class PairSpec:
    """One partnership question: council item n and civil-society item n-in-roman."""

    number: int
    theme: str
    la_item: str
    cso_item: str

    def item_of(self, side: Side) -> str:
        return self.la_item if side is Side.LA else self.cso_item


@dataclass(frozen=True)
class ItemTally:
    """All that crosses from the store: how many people rated an item (each
    once) and the sum of their ratings."""

    respondents: int
    total: int


class Standing(StrEnum):
    SCORED = "scored"
    TOO_FEW = "too_few"  # rated, by fewer than MIN_RESPONDENTS people: withheld
    NONE = "none"  # nobody has rated it


@dataclass(frozen=True)
class SideScore:
    standing: Standing
    mean: float | None  # only when SCORED

    @property
    def scored(self) -> bool:
        return self.standing is Standing.SCORED


def side_score(tally: ItemTally | None) -> SideScore:
    if tally is None or tally.respondents <= 0:
        return SideScore(Standing.NONE, None)
    if tally.respondents < MIN_RESPONDENTS:
        return SideScore(Standing.TOO_FEW, None)
    return SideScore(Standing.SCORED, tally.total / tally.respondents)


@dataclass(frozen=True)
class PairComparison:
    pair: PairSpec
    ours: SideScore  # the viewing group's side
    theirs: SideScore  # the partner's

    @property
    def compared(self) -> bool:
        return self.ours.scored and self.theirs.scored

    @property
    def gap(self) -> float | None:
        """How far apart the two sides' averages are (never negative)."""
        return abs(self.ours.mean - self.theirs.mean) if self.compared else None

    @property
    def shared_floor(self) -> float | None:
        """The lower of the two averages: high only when both sides rate it high."""
        return min(self.ours.mean, self.theirs.mean) if self.compared else None


@dataclass(frozen=True)
class ThemeComparison:
    theme: str
    pairs: tuple[PairComparison, ...]  # compared pairs, widest gap first

    @property
    def widest(self) -> float:
        return self.pairs[0].gap if self.pairs else 0.0


@dataclass(frozen=True)
class ThemeBars:
    """A theme's two scores for the chart: the mean of the pair averages both
    sides have, so the two bars always stand on the same questions."""

    theme: str
    ours: float | None
    theirs: float | None

    @property
    def gap(self) -> float | None:
        return None if self.ours is None or self.theirs is None else abs(self.ours - self.theirs)


@dataclass(frozen=True)
class PartnershipView:
    viewer: Side
    themes: tuple[ThemeComparison, ...]  # themes with compared pairs, widest gap first
    one_sided: tuple[PairComparison, ...]  # scored by one side only, in checklist order
    unanswered: tuple[PairComparison, ...]  # scored by neither: topics to take up
    bars: tuple[ThemeBars, ...]  # every theme, in the checklist's order

    @property
    def compared(self) -> tuple[PairComparison, ...]:
        return tuple(pair for theme in self.themes for pair in theme.pairs)

    @property
    def complete(self) -> bool:
        """Both sides have a score for every pair."""
        return not self.one_sided and not self.unanswered and bool(self.themes)


def compare(
    pairs: Sequence[PairSpec], tallies: Mapping[Side, Mapping[str, ItemTally]], viewer: Side,
    theme_order: Sequence[str] = (),
) -> PartnershipView:
    """The partnership as the `viewer` side sees it. `tallies[side]` maps that
    side's item ids to their tallies."""
    comparisons = [
        PairComparison(
            pair,
            ours=side_score(tallies.get(viewer, {}).get(pair.item_of(viewer))),
            theirs=side_score(tallies.get(viewer.other, {}).get(pair.item_of(viewer.other))),
        )
        for pair in sorted(pairs, key=lambda p: p.number)
    ]
    order = list(theme_order) + [p.theme for p in pairs if p.theme not in theme_order]
    order = list(dict.fromkeys(order))
    by_theme: dict[str, list[PairComparison]] = {theme: [] for theme in order}
    for comparison in comparisons:
        if comparison.compared:
            by_theme[comparison.pair.theme].append(comparison)
    themes = [
        ThemeComparison(theme, tuple(sorted(found, key=_widest_first)))
        for theme, found in by_theme.items() if found
    ]
    themes.sort(key=lambda t: (-t.widest, order.index(t.theme)))
    return PartnershipView(
        viewer=viewer,
        themes=tuple(themes),
        one_sided=tuple(c for c in comparisons if c.ours.scored != c.theirs.scored),
        unanswered=tuple(c for c in comparisons if not c.ours.scored and not c.theirs.scored),
        bars=tuple(_bars(theme, by_theme[theme]) for theme in order),
    )


def _widest_first(comparison: PairComparison) -> tuple[float, int]:
    return (-comparison.gap, comparison.pair.number)


def _bars(theme: str, compared: list[PairComparison]) -> ThemeBars:
    if not compared:
        return ThemeBars(theme, None, None)
    return ThemeBars(
        theme,
        ours=sum(c.ours.mean for c in compared) / len(compared),
        theirs=sum(c.theirs.mean for c in compared) / len(compared),
    )


# -- an agenda for a joint meeting ---------------------------------------------------------------

AGENDA_SIZE = 3


class Opener(StrEnum):
    """The kinds of question that open the discussion (worded in the catalog)."""

    GAP = "gap"  # on the widest gap: what does each side see that the other does not?
    STRENGTH = "strength"  # on the strongest shared score: what makes it work?
    UNTOUCHED = "untouched"  # on a pair not scored by both: does it matter to us now?
    LOWEST = "lowest"  # on the lowest shared score: one small step together?


@dataclass(frozen=True)
class AgendaOpener:
    kind: Opener
    pair: PairComparison


@dataclass(frozen=True)
class Agenda:
    widest: tuple[PairComparison, ...]
    strongest: tuple[PairComparison, ...]
    openers: tuple[AgendaOpener, ...]

    @property
    def empty(self) -> bool:
        return not self.widest


def agenda(view: PartnershipView, size: int = AGENDA_SIZE) -> Agenda:
    """The widest gaps, then the strongest scores both sides share (other
    pairs than the gaps), and three questions to start the conversation."""
    compared = sorted(view.compared, key=_widest_first)
    if not compared:
        return Agenda((), (), ())  # nothing to set side by side yet
    widest = tuple(compared[:size])
    rest = [c for c in compared if c not in widest]
    strongest = tuple(sorted(
        rest, key=lambda c: (-c.shared_floor, -(c.ours.mean + c.theirs.mean), c.pair.number)
    )[:size])
    openers = [AgendaOpener(Opener.GAP, widest[0])]
    if strongest:
        openers.append(AgendaOpener(Opener.STRENGTH, strongest[0]))
    untouched = view.unanswered or view.one_sided
    if untouched:
        openers.append(AgendaOpener(Opener.UNTOUCHED, untouched[0]))
    else:
        lowest = min(compared, key=lambda c: (c.shared_floor, c.ours.mean + c.theirs.mean,
                                               c.pair.number))
        openers.append(AgendaOpener(Opener.LOWEST, lowest))
    return Agenda(widest, strongest, tuple(openers))


# -- "your partner is asked the same this week" --------------------------------------------------

ASKED_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class PartnerProgramme:
    """Where a partner group stands with the matching question."""

    last_asked_at: datetime | None  # when it last put the matching item to its members
    next_item: str | None  # the item its programme asks next (None: no running programme)
    next_due_at: datetime | None
    paused: bool


def asked_the_same_this_week(
    programme: PartnerProgramme, matching_item: str, now: datetime
) -> bool:
    """True when the partner asked the matching item within the last week, or
    its programme (running, not paused) asks it next within the coming week."""
    if programme.last_asked_at is not None and now - ASKED_WINDOW <= programme.last_asked_at:
        return True
    return (
        not programme.paused
        and programme.next_item == matching_item
        and programme.next_due_at is not None
        and programme.next_due_at <= now + ASKED_WINDOW
    )
