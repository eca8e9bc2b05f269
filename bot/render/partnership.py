"""A partnership in words: both sides' averages side by side, the agenda
for a joint meeting, and the line under a question that the partner is
asked the same. Worded as an invitation to talk, never as a verdict.

Everything shown comes from a PartnershipView, which holds averages only
(bot/domain/partnership.py withholds the rest); group titles are escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.content.locales import Catalog, Html
from bot.content.packs import PackLibrary
from bot.domain.partnership import (
    Agenda,
    PairComparison,
    PartnershipView,
    Side,
    SideScore,
    Standing,
)
from bot.domain.summary import MIN_RESPONDENTS
from bot.render.split import split_lines
from bot.render.summary import theme_name


def score(catalog: Catalog, language: str, value: float) -> str:
    return f"{value:.1f}".replace(".", catalog.raw(language, "summary.decimal_mark"))


def shown_gap(catalog: Catalog, language: str, comparison: PairComparison) -> str:
    """The gap between the two averages as shown (rounded first), so that the
    reader's own subtraction always agrees with it."""
    gap = abs(round(comparison.ours.mean, 1) - round(comparison.theirs.mean, 1))
    return score(catalog, language, gap)


def pair_name(catalog: Catalog, language: str, comparison: PairComparison) -> str:
    return catalog.raw(language, f"partnership.pair.{comparison.pair.number}")


def view_messages(
    catalog: Catalog, language: str, view: PartnershipView, packs: PackLibrary, *,
    title: str, partner: str, complete_key: str | None = None,
) -> list[str]:
    """The side-by-side table for the group `title` and its partner, cut into
    messages Telegram accepts. `complete_key` is what to say once both sides
    answered everything (the group and the private chat offer the agenda
    differently)."""
    def line(key: str, **values: object) -> str:
        return catalog.text(language, key, **values)

    lines = [line("partnership.title", title=title, partner=partner),
             line("partnership.intro"), ""]
    if view.themes:
        lines.append(line("partnership.compared_title"))
        for theme in view.themes:
            lines.append(line("partnership.theme", theme=theme_name(packs, theme.theme, language)))
            lines += [
                line("partnership.row", pair=pair_name(catalog, language, c), partner=partner,
                     ours=score(catalog, language, c.ours.mean),
                     theirs=score(catalog, language, c.theirs.mean),
                     gap=shown_gap(catalog, language, c))
                for c in theme.pairs
            ]
        lines.append("")
    else:
        lines += [line("partnership.nothing_yet", min=MIN_RESPONDENTS), ""]
    if view.one_sided:
        lines.append(line("partnership.one_sided_title"))
        lines += [_one_sided(catalog, language, c, partner) for c in view.one_sided]
        lines.append("")
    if view.unanswered:
        lines.append(line("partnership.unanswered_title"))
        lines += [line("partnership.unanswered_row", pair=pair_name(catalog, language, c))
                  for c in view.unanswered]
        lines.append("")
    if view.complete and complete_key:
        lines += [line(complete_key), ""]
    lines.append(line("partnership.footer", min=MIN_RESPONDENTS))
    return split_lines("\n".join(lines))


def _one_sided(catalog: Catalog, language: str, c: PairComparison, partner: str) -> str:
    if c.ours.scored:
        return catalog.text(language, "partnership.row_ours", pair=pair_name(catalog, language, c),
                            ours=score(catalog, language, c.ours.mean), partner=partner,
                            status=_status(catalog, language, c.theirs))
    return catalog.text(language, "partnership.row_theirs", pair=pair_name(catalog, language, c),
                        theirs=score(catalog, language, c.theirs.mean), partner=partner,
                        status=_status(catalog, language, c.ours))


def _status(catalog: Catalog, language: str, side: SideScore) -> str:
    key = "partnership.too_few" if side.standing is Standing.TOO_FEW else "partnership.not_yet"
    return catalog.raw(language, key)


def agenda_messages(
    catalog: Catalog, language: str, agenda: Agenda, viewer: Side, packs: PackLibrary, *,
    title: str, partner: str, pack_of: dict[Side, str],
) -> list[str]:
    """A short agenda for a joint meeting; both sides' questions quoted as
    the checklist words them (`pack_of` names each side's pack)."""
    def line(key: str, **values: object) -> str:
        return catalog.text(language, key, **values)

    lines = [line("agenda.title", title=title, partner=partner)]
    if agenda.empty:
        lines.append(line("agenda.none", min=MIN_RESPONDENTS))
        return split_lines("\n".join(lines))
    lines += [line("agenda.intro"), ""]
    for heading, pairs in (("agenda.widest_title", agenda.widest),
                           ("agenda.strongest_title", agenda.strongest)):
        if not pairs:
            continue
        lines.append(line(heading))
        for c in pairs:
            lines.append(line("agenda.pair", pair=pair_name(catalog, language, c),
                              partner=partner, ours=score(catalog, language, c.ours.mean),
                              theirs=score(catalog, language, c.theirs.mean)))
            lines += _quotes(catalog, language, c, viewer, packs, pack_of)
        lines.append("")
    lines.append(line("agenda.openers_title"))
    lines += [line(f"agenda.opener_{opener.kind}", pair=pair_name(catalog, language, opener.pair))
              for opener in agenda.openers]
    source = packs.get(pack_of[viewer])
    if source is not None and source.attribution:
        lines += ["", line("agenda.source", source=source.attribution[language])]
    return split_lines("\n".join(lines))


def _quotes(
    catalog: Catalog, language: str, c: PairComparison, viewer: Side, packs: PackLibrary,
    pack_of: dict[Side, str],
) -> list[str]:
    """The pair's two questions, the viewer's side first."""
    quoted = []
    for side in (viewer, viewer.other):
        pack = packs.get(pack_of[side])
        item = pack.item(c.pair.item_of(side)) if pack else None
        if item is None:
            continue
        quoted.append(catalog.text(
            language, "agenda.quote", side=catalog.raw(language, f"partnership.side_{side}"),
            label=item.label or str(item.position), text=item.text_in(language)))
    return quoted


def question_note(catalog: Catalog, language: str, partners: Sequence[str]) -> Html | None:
    """The line under a checklist question when partners are asked the
    matching question this week; None when none is."""
    if not partners:
        return None
    return Html(catalog.plural(language, "partnership.question_note", len(partners),
                               names=", ".join(partners)))
