"""A member's own actions in a group, for /mydata: those they started, and
those they are taking on with how their check-in went and their note
(shared or not: it is theirs, and only they read this)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.content.locales import Catalog, Html
from bot.domain.actions import Action, Owner
from bot.domain.design_tests import TESTS, Rating
from bot.domain.records import Chat
from bot.render.actions import local_date


def my_actions(catalog: Catalog, language: str, group: Chat, made: Sequence[Action],
               owned: Sequence[tuple[Action, Owner]],
               rated: Sequence[tuple[Action, Sequence[Rating]]] = ()) -> list[str]:
    """The lines /mydata adds about actions, and the person's own design-test
    ratings; none when the person has none."""
    if not made and not owned:
        return my_ratings(catalog, language, rated)

    def day(action: Action) -> Html:
        return Html(local_date(catalog, language, action.created_at, group.timezone))

    lines = ["", catalog.text(language, "mydata_actions.title")]
    for action in made:
        lines.append(catalog.text(language, "mydata_actions.made", text=action.text,
                                  date=day(action)))
    for action, owner in owned:
        lines.append(catalog.text(language, "mydata_actions.owned", text=action.text,
                                  date=day(action)))
        lines.append(catalog.text(language, f"mydata_actions.state_{owner.state}"))
        if owner.note:
            shared = "shared" if owner.note_shared else "private"
            lines.append(catalog.text(language, f"mydata_actions.note_{shared}", note=owner.note))
    return lines + my_ratings(catalog, language, rated)


def my_ratings(catalog: Catalog, language: str,
               rated: Sequence[tuple[Action, Sequence[Rating]]]) -> list[str]:
    """The person's own ratings of each plan, in the tests' order."""
    if not rated:
        return []
    lines = ["", catalog.text(language, "mydata_ratings.title")]
    for action, ratings in rated:
        lines.append(catalog.text(language, "mydata_ratings.line", text=action.text))
        values = {rating.test: rating.value for rating in ratings}
        lines.extend(catalog.text(language, "mydata_ratings.rating", value=values[test],
                                  test=catalog.text(language, f"designtests.name.{test}"))
                     for test in TESTS if test in values)
    return lines
