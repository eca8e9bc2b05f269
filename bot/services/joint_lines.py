"""What a group reads of a joint action where its own actions show: the line
on the action's card and the summary's block of joint actions. Apart from
bot/services/joint_actions.py, which makes and posts joint actions with the
actions service's cards (this module is what that service reads)."""

from __future__ import annotations

from datetime import datetime

from bot.domain import joint_actions as domain
from bot.domain.actions import Action
from bot.domain.records import Chat
from bot.render import joint_actions as render
from bot.runtime.context import BotData

# A summary lists this many joint actions at most, oldest first.
LISTED = 10


async def card_line(data: BotData, chat: Chat, action: Action) -> str | None:
    """"A joint action with <partner>, on <pair>", for one half of a joint
    action (None for a plain action, or once the partnership has ended)."""
    joint = await data.store.joint_actions.of_action(action.id)
    link = await data.store.partnerships.get(joint.partnership_id) if joint else None
    if joint is None or link is None or not link.includes(chat.id):
        return None
    partner = await data.store.chats.get(link.partner_of(chat.id))
    return render.card_line(data.catalog, chat.language,
                            (partner.title if partner else None) or "", joint.pair_number)


async def week_block(data: BotData, chat: Chat, start: datetime) -> str | None:
    """Each joint action still open on a side (or closed this week): this
    side's progress and the partner's, in a word each."""
    store = data.store
    lines = []
    for joint in await store.joint_actions.for_chat(chat.id):
        link = await store.partnerships.get(joint.partnership_id)
        if link is None:
            continue
        side = link.side_of(chat.id)
        ours = await store.actions.get(joint.action_of(side))
        theirs = await store.actions.get(joint.action_of(side.other))
        if ours is None or theirs is None or not domain.in_the_week(
                (ours.state, theirs.state), (ours.closed_at, theirs.closed_at), start):
            continue
        partner = await store.chats.get(link.partner_of(chat.id))
        lines.append((ours.text, (partner.title if partner else None) or "",
                      await _progress(data, ours), await _progress(data, theirs)))
        if len(lines) == LISTED:
            break
    return render.week_block(data.catalog, chat.language, lines)


async def _progress(data: BotData, action: Action) -> domain.Progress:
    owners = await data.store.actions.owners(action.id)
    return domain.progress(action.state, [owner.state for owner in owners])
