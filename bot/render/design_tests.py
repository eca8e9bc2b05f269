"""A plan put to the five design tests, as the group sees it: one message
answered row by row (a row of 1-5 buttons per test, a count of who has
answered, never names), the plan's profile, and its one line on the
action's card."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.locales import Catalog, Html
from bot.domain.actions import Action
from bot.domain.design_tests import HIGHEST, LOWEST, TESTS, Profile
from bot.domain.summary import MIN_RESPONDENTS
from bot.render.callbacks import DesignAsk, DesignProfile, DesignRate, encode


def ask_button(catalog: Catalog, language: str, action: Action) -> InlineKeyboardButton:
    return InlineKeyboardButton(catalog.text(language, "designtests.ask"),
                                callback_data=encode(DesignAsk(action.id)))


def questions(catalog: Catalog, language: str, action: Action, raters: int) -> str:
    """The message the group answers: the plan, the five tests, how many answered."""
    lines = [catalog.text(language, "designtests.title", text=action.text), "",
             catalog.text(language, "designtests.intro")]
    lines += [catalog.text(language, f"designtests.row.{test}") for test in TESTS]
    lines += ["", catalog.text(language, "designtests.legend"),
              catalog.text(language, "designtests.answered.zero") if not raters
              else catalog.plural(language, "designtests.answered", raters)]
    return "\n".join(lines)


def questions_keyboard(catalog: Catalog, language: str,
                       action: Action) -> InlineKeyboardMarkup | None:
    """A row of 1-5 per test, in the order of the message; then "Show the
    profile". Nothing once the action is closed."""
    if not action.is_open:
        return None
    rows = [[InlineKeyboardButton(str(value),
                                  callback_data=encode(DesignRate(action.id, test, value)))
             for value in range(LOWEST, HIGHEST + 1)] for test in TESTS]
    rows.append([InlineKeyboardButton(catalog.text(language, "designtests.show"),
                                      callback_data=encode(DesignProfile(action.id)))])
    return InlineKeyboardMarkup(rows)


def number(catalog: Catalog, language: str, value: float) -> str:
    return f"{value:.1f}".replace(".", catalog.text(language, "summary.decimal_mark"))


def profile(catalog: Catalog, language: str, action: Action, shown: Profile) -> str:
    """The plan's profile: averages per test, each only from the minimum."""
    lines = [catalog.text(language, "designtests.profile_title", text=action.text), ""]
    for result in shown.results:
        name = catalog.text(language, f"designtests.name.{result.test}")
        if result.average is None:
            lines.append(catalog.text(language, "designtests.profile_few", test=Html(name)))
        else:
            lines.append(catalog.text(language, "designtests.profile_line", test=Html(name),
                                      average=number(catalog, language, result.average)))
    lines += ["", catalog.plural(language, "designtests.profile_people", shown.people),
              catalog.text(language, "designtests.profile_rule", minimum=MIN_RESPONDENTS)]
    return "\n".join(lines)


def card_line(catalog: Catalog, language: str, shown: Profile) -> str | None:
    """One short line on the action's card: the averages that can be shown."""
    if not shown.any_shown:
        return None
    scores = " · ".join(
        catalog.text(language, "designtests.card_score",
                     test=Html(catalog.text(language,
                                            f"designtests.card_short.{result.test}")),
                     average=number(catalog, language, result.average))
        for result in shown.results if result.average is not None)
    return catalog.text(language, "designtests.card_line", scores=Html(scores))
