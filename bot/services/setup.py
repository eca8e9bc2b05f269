"""Setting a programme up with either wizard (/setup in a group, /programme in
a private chat): the draft kept against the message that shows it, and what
the last press does, for both."""

from __future__ import annotations

from datetime import datetime

from bot.domain.records import Sighting
from bot.domain.setup import Draft, InvalidChoice, WizardDraft
from bot.runtime.context import BotData
from bot.services.schedule import weekly_moment


async def keep_draft(data: BotData, chat_id: int, message_id: int, draft: WizardDraft, *,
                     seen_as: Sighting | None = None) -> None:
    """Keep a wizard's draft against its message, so each press finds its
    wizard (after a restart too); with `seen_as`, its owner is recorded as a
    member of the group in the same step."""
    await data.store.drafts.save(chat_id, message_id, draft.user_id, draft.to_dict(),
                                 seen_as=seen_as)


async def draft_at(data: BotData, chat_id: int, message_id: int,
                   kind: type[Draft]) -> Draft | None:
    """The wizard under a message, if it is one of this kind."""
    stored = await data.store.drafts.get(chat_id, message_id)
    return None if stored is None else _as(kind, stored[1])


async def latest_draft(data: BotData, chat_id: int, user_id: int,
                       kind: type[Draft]) -> tuple[int, Draft] | None:
    """(message id, draft) of the person's most recent wizard in the chat."""
    pending = await data.store.drafts.latest_for(chat_id, user_id)
    if pending is None:
        return None
    draft = _as(kind, pending[1])
    return None if draft is None else (pending[0], draft)


async def finish(data: BotData, chat_id: int, message_id: int,
                 draft: WizardDraft) -> datetime | None:
    """The last press: the chat takes the wizard's settings, the programme
    starts (a group's wizard also makes its admin a coordinator) and the
    draft goes, as one step. When the first question comes; None if another
    press finished the wizard first (then nothing changed)."""
    now = data.now()
    schedule = draft.schedule()
    first = schedule.next_due(now)
    started = await data.store.programmes.start(
        chat_id, draft_message_id=message_id, settings=draft.chat_settings(),
        follow=weekly_moment(now), pack_id=draft.pack_id, cadence=schedule.cadence,
        days=schedule.days, local_time=schedule.local_time, next_due_at=first,
        coordinator=draft.coordinator)
    return None if started is None else first


def _as(kind: type[Draft], state: dict) -> Draft | None:
    try:
        return kind.from_dict(state)
    except InvalidChoice:
        return None  # another kind of wizard's draft: not this one's
