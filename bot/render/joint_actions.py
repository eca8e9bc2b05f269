"""Joint actions in words: the line on each group's action card, the
summary's block of joint actions with both sides' progress, the agenda's
buttons, and the digest's "did it help?".

What a group reads of its partner: the partner's title, the action's words
and one word of progress. Never a name, a note or a single rating:
"did it help?" shows averages only, from a DidItHelp (the domain withholds
the rest).
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.locales import Catalog
from bot.domain.joint_actions import BeforeAfter, DidItHelp, Progress
from bot.domain.partnership import Agenda, Opener, PairComparison, Side, SideScore, Standing
from bot.domain.summary import MIN_RESPONDENTS
from bot.render.callbacks import JointPropose, encode
from bot.render.partnership import score


def pair_name(catalog: Catalog, language: str, number: int) -> str:
    return catalog.raw(language, f"partnership.pair.{number}")


def card_line(catalog: Catalog, language: str, partner: str, pair_number: int) -> str:
    return catalog.text(language, "joint.card", partner=partner,
                        pair=pair_name(catalog, language, pair_number))


def week_block(catalog: Catalog, language: str,
               lines: list[tuple[str, str, Progress, Progress]]) -> str | None:
    """(action's words, partner's title, progress here, progress there) per
    joint action; None when there is none."""
    if not lines:
        return None
    shown = [catalog.text(language, "joint.week_title")]
    shown += [catalog.text(language, "joint.week_line", text=text, partner=partner,
                           here=catalog.raw(language, f"joint.progress.{here}"),
                           there=catalog.raw(language, f"joint.progress.{there}"))
              for text, partner, here, there in lines]
    return "\n".join(shown)


def agenda_pairs(agenda: Agenda) -> list[PairComparison]:
    """The agenda's pairs a joint action may start from: where the two
    sides' self-ratings are furthest apart, and where both rate lowest."""
    pairs = list(agenda.widest)
    pairs += [opener.pair for opener in agenda.openers
              if opener.kind is Opener.LOWEST and opener.pair not in pairs]
    return pairs


def agenda_keyboard(catalog: Catalog, language: str, partnership_id: int, viewer: Side,
                    agenda: Agenda) -> InlineKeyboardMarkup | None:
    """A "joint action" button per pair the agenda points at."""
    pairs = agenda_pairs(agenda)
    if not pairs:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        catalog.text(language, "joint.button",
                     pair=pair_name(catalog, language, c.pair.number)),
        callback_data=encode(JointPropose(partnership_id, str(viewer), c.pair.number)))]
        for c in pairs])


def button_how(catalog: Catalog, language: str, pair_number: int) -> str:
    return catalog.text(language, "joint.button_how", number=pair_number,
                        pair=pair_name(catalog, language, pair_number))


def ask_words(catalog: Catalog, language: str, pair_number: int) -> str:
    return catalog.text(language, "joint.ask_words",
                        pair=pair_name(catalog, language, pair_number))


def did_it_help(catalog: Catalog, language: str,
                shown: list[tuple[str, str, int, DidItHelp]]) -> str | None:
    """(action's words, partner's title, pair number, before and after) per
    joint action whose pair came round again; None when none did."""
    if not shown:
        return None
    lines = [catalog.text(language, "jointhelp.title")]
    for text, partner, number, help_ in shown:
        lines.append(catalog.text(language, "jointhelp.action", text=text, partner=partner,
                                  pair=pair_name(catalog, language, number)))
        lines.append(catalog.text(language, "jointhelp.ours",
                                  **_before_after(catalog, language, help_.ours)))
        lines.append(catalog.text(language, "jointhelp.theirs", partner=partner,
                                  **_before_after(catalog, language, help_.theirs)))
    lines.append(catalog.text(language, "jointhelp.footer", min=MIN_RESPONDENTS))
    return "\n".join(lines)


def _before_after(catalog: Catalog, language: str, side: BeforeAfter) -> dict[str, str]:
    after = (_score(catalog, language, side.after) if side.asked_again
             else catalog.raw(language, "jointhelp.not_again"))
    return {"before": _score(catalog, language, side.before), "after": after}


def _score(catalog: Catalog, language: str, side: SideScore) -> str:
    if side.standing is Standing.SCORED:
        return catalog.raw(language, "jointhelp.score").format(
            value=score(catalog, language, side.mean))
    key = "jointhelp.too_few" if side.standing is Standing.TOO_FEW else "jointhelp.not_asked"
    return catalog.raw(language, key)
