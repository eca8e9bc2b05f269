"""A member's own actions in a group, for /mydata: those they started, and
those they are taking on with how their check-in went and their note
(shared or not: it is theirs, and only they read this)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.content.locales import Catalog, Html
from bot.domain.actions import Action, Owner
from bot.domain.records import Chat
from bot.render.actions import local_date


def my_actions(catalog: Catalog, language: str, group: Chat, made: Sequence[Action],
               owned: Sequence[tuple[Action, Owner]]) -> list[str]:
    """The lines /mydata adds about actions; none when the person has none."""
    if not made and not owned:
        return []

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
    return lines
