"""Joint actions across a partnership, as use cases: a coordinator of either
linked group proposes one on a pair of the checklist; it is posted in both
groups as an action each (each side takes it on with its own people); and
the digest asks "did it help?" once the pair's questions come round again.

Only the action's words, its progress and averages cross between the two
groups: never a member's name, note or answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from telegram import Bot

from bot.domain import joint_actions as domain
from bot.domain.actions import clean_text
from bot.domain.joint_actions import JointAction
from bot.domain.partnership import PACK_OF_SIDE, Side
from bot.domain.records import Chat
from bot.render import joint_actions as render
from bot.runtime.context import BotData
from bot.services import actions, partnership
from bot.services.delivery import Undeliverable, deliver
from bot.store.joint_actions import Proposal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Proposed:
    """What a proposal did: a refusal (a catalog key and its values), or the
    joint action (new, or the same one proposed before)."""

    refusal: str | None
    values: dict = field(default_factory=dict)
    joint: JointAction | None = None
    new: bool = False


async def propose(data: BotData, chat: Chat, user_id: int, pair_number: int, raw: str,
                  partnership_id: int | None = None) -> Proposed:
    """/jointaction in a linked group, or a coordinator's line after the
    agenda's button (`partnership_id`: the partnership it was under). The
    caller checked that `user_id` coordinates `chat`."""
    partners = await partnership.partners_of(data, chat.id)
    if partnership_id is not None:
        partners = [found for found in partners if found[0].id == partnership_id]
        if not partners:
            return Proposed("joint.gone")
    if not partners:
        return Proposed("joint.no_partner")
    if len(partners) > 1:
        return Proposed("joint.several")
    specs = {spec.number: spec for spec in partnership.pair_specs(data.packs)}
    if pair_number not in specs:
        return Proposed("joint.no_pair", {"number": pair_number})
    text = clean_text(raw)
    if text is None:
        return Proposed("joint.too_long" if raw.strip() else "joint.how")
    link, _ = partners[0]
    spec = specs[pair_number]
    items = {side: (PACK_OF_SIDE[side], spec.item_of(side)) for side in Side}
    outcome, joint = await data.store.joint_actions.propose(
        link.id, link.la_chat_id, link.cso_chat_id, pair_number, link.side_of(chat.id), text,
        user_id, items)
    log.info("joint action on pair %s proposed in chat %s by user %s: %s", pair_number,
             chat.id, user_id, outcome.value)
    if outcome is Proposal.UNLINKED:
        return Proposed("joint.gone")
    if outcome is Proposal.SAME:
        return Proposed("joint.same", joint=joint)
    return Proposed(None, joint=joint, new=True)


async def want_words(data: BotData, user_id: int, partnership_id: int, side: Side,
                     pair_number: int) -> bool:
    """After "joint action" in a private chat: wait for the coordinator's
    line; False when that wait is on already (the press came twice)."""
    return await data.store.joint_actions.want_words(user_id, partnership_id, side,
                                                     pair_number)


async def words_asked(data: BotData, user_id: int, message_id: int) -> None:
    await data.store.joint_actions.words_asked(user_id, message_id)


async def take_draft(data: BotData, user_id: int,
                     replied_message_id: int | None) -> domain.JointDraft | None:
    """The coordinator's waiting joint action, if this message is its line."""
    return await data.store.joint_actions.take_draft(user_id, replied_message_id)


async def post(bot: Bot, data: BotData, joint: JointAction) -> None:
    """Each group's half, as an action card with its own buttons; a group
    the bot cannot reach keeps its action, to be seen with /actions."""
    link = await data.store.partnerships.get(joint.partnership_id)
    if link is None:
        return
    for side in Side:
        chat = await data.store.chats.get(link.chat_of(side))
        action = await data.store.actions.get(joint.action_of(side))
        if chat is None or action is None or not chat.active:
            continue
        shown = await actions.card(data, chat, action)
        try:
            message, _ = await deliver(data, chat.id, "sendMessage", lambda target, shown=shown:
                                       bot.send_message(target, shown.text,
                                                        reply_markup=shown.keyboard))
        except Undeliverable as failure:
            log.info("joint action %s not posted in chat %s: %s", joint.id, chat.id,
                     failure.reason)
            continue
        await actions.posted(data, action.id, message.message_id)


async def digest_section(bot: Bot, data: BotData, group: Chat, to_chat_id: int) -> None:
    """"Did it help?" in a coordinator's digest: for each joint action whose
    pair came round again lately, both sides' averages before and after.
    Raises Undeliverable."""
    text = await did_it_help(data, group)
    if text is not None:
        await deliver(data, to_chat_id, "sendMessage",
                      lambda target: bot.send_message(target, text))


async def did_it_help(data: BotData, group: Chat) -> str | None:
    store = data.store
    specs = {spec.number: spec for spec in partnership.pair_specs(data.packs)}
    shown = []
    for joint in await store.joint_actions.for_chat(group.id):
        link = await store.partnerships.get(joint.partnership_id)
        spec = specs.get(joint.pair_number)
        ours_action = await store.actions.get(joint.action_of(link.side_of(group.id))) \
            if link else None
        if link is None or spec is None or ours_action is None:
            continue
        side = link.side_of(group.id)
        rounds = {s: await store.joint_actions.rounds(link.chat_of(s), PACK_OF_SIDE[s],
                                                      spec.item_of(s)) for s in Side}
        found = domain.did_it_help(rounds[side], rounds[side.other], joint.created_at,
                                   data.now())
        if found is not None:
            shown.append((ours_action.text, await partnership.title_of(
                data, link.partner_of(group.id)), joint.pair_number, found))
    return render.did_it_help(data.catalog, group.language, shown)
