"""Partnerships as use cases: issuing and redeeming codes, telling both
groups, showing one side beside the other (text and chart), the agenda,
the digest's partnership section and the line under a checklist question."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from telegram import Bot, InlineKeyboardMarkup

from bot.content.locales import Html
from bot.content.packs import Item, Pack, PackLibrary
from bot.domain import partner_link as codes
from bot.domain import partnership as domain
from bot.domain.partner_link import Partnership, Refusal
from bot.domain.partnership import PACK_OF_SIDE, PairSpec, PartnershipView, Side
from bot.domain.programme import next_question
from bot.domain.records import Chat
from bot.render import joint_actions as joint_render
from bot.render import partner_link
from bot.render import partnership as render
from bot.render.partnership_chart import render_partnership_chart
from bot.runtime.context import BotData
from bot.services.delivery import Undeliverable, deliver
from bot.store.partnerships import LinkOutcome

log = logging.getLogger(__name__)
_CODE_ATTEMPTS = 5  # a fresh code colliding with a kept one is rare; twice in a row, rarer


@dataclass(frozen=True)
class Linked:
    """The outcome of /partner CODE: a refusal, or the new partnership."""

    refusal: Refusal | None
    partnership: Partnership | None = None
    issuer: Chat | None = None  # the group that made the code, when known


def pair_specs(packs: PackLibrary) -> tuple[PairSpec, ...]:
    """The fifteen pairs, from the two packs' `pair` numbers."""
    council, civil = packs.get(PACK_OF_SIDE[Side.LA]), packs.get(PACK_OF_SIDE[Side.CSO])
    if council is None or civil is None:
        return ()
    theirs = {item.pair: item for item in civil.items}
    return tuple(
        PairSpec(item.pair, item.theme, item.id, theirs[item.pair].id)
        for item in council.items if item.pair in theirs
    )


def _theme_order(packs: PackLibrary) -> tuple[str, ...]:
    pack = packs.get(PACK_OF_SIDE[Side.LA])
    return tuple(pack.themes) if pack else ()


async def side_of(data: BotData, chat_id: int) -> Side | None:
    """The side of the checklist a group follows now, if any."""
    enrolment = await data.store.enrolments.active_for(chat_id)
    return domain.side_of_pack(enrolment.pack_id) if enrolment else None


async def issue_code(data: BotData, chat_id: int, side: Side) -> tuple[str, datetime]:
    """A new one-time code for the group; only its hash is stored."""
    expires_at = codes.code_expiry(data.now())
    for _ in range(_CODE_ATTEMPTS):
        code = codes.new_code()
        if await data.store.partnerships.add_code(chat_id, side, codes.code_hash(code),
                                                   expires_at):
            log.info("partnership code issued for chat %s (%s side)", chat_id, side)
            return code, expires_at
    raise RuntimeError("could not draw an unused partnership code")


async def redeem(data: BotData, chat_id: int, typed: str) -> Linked:
    """/partner CODE in `chat_id`: check the code against the database and
    the rules, then link the two groups (spending the code)."""
    store = data.store
    side = await side_of(data, chat_id)
    plain = codes.normalise_code(typed)
    code = await store.partnerships.find_code(codes.code_hash(plain)) if plain else None
    issuer = await store.chats.get(code.chat_id) if code else None
    issuer_side = await side_of(data, code.chat_id) if issuer and issuer.active else None
    partners = [link.partner_of(chat_id) for link in await store.partnerships.for_chat(chat_id)]
    refusal = codes.redemption_refusal(
        code, typed_ok=plain is not None, now=data.now(), chat_id=chat_id, side=side,
        issuer_side=issuer_side, partners=partners)
    if refusal is not None:
        log.info("partnership code refused in chat %s: %s", chat_id, refusal)
        return Linked(refusal, issuer=issuer)
    la, cso = (chat_id, code.chat_id) if side is Side.LA else (code.chat_id, chat_id)
    outcome = await store.partnerships.link(code.id, la, cso)
    if outcome is not LinkOutcome.LINKED:
        return Linked(Refusal.USED if outcome is LinkOutcome.USED else Refusal.ALREADY,
                      issuer=issuer)
    log.info("partnership linked: council chat %s, civil-society chat %s", la, cso)
    return Linked(None, await store.partnerships.between(la, cso), issuer)


async def announce_link(bot: Bot, data: BotData, link: Partnership) -> None:
    """Both groups are told, each in its own language, what is shared now."""
    for chat_id in (link.la_chat_id, link.cso_chat_id):
        chat, partner = await _chat_and_partner(data, link, chat_id)
        text = partner_link.linked(data.catalog, chat.language, title=chat.title or "",
                                   partner=partner.title or "")
        await _tell(bot, data, chat_id, text)


async def end(bot: Bot, data: BotData, link: Partnership, by_chat_id: int) -> bool:
    """End a partnership from one of its groups; the other group is told.
    False if it had ended already."""
    partner_id = link.partner_of(by_chat_id)
    if not await data.store.partnerships.unlink(link.id, by_chat_id):
        return False
    log.info("partnership %s ended by chat %s", link.id, by_chat_id)
    partner, by = await data.store.chats.get(partner_id), await data.store.chats.get(by_chat_id)
    if partner is not None and partner.active:
        await _tell(bot, data, partner_id, data.catalog.text(
            partner.language, "unpartner.ended_by_partner", partner=by.title or ""))
    return True


async def to_end(data: BotData, chat_id: int) -> list[tuple[int, str]]:
    """(partnership id, partner's title) of every partnership a group could
    end, the partner still in the bot or not."""
    return [(link.id, await title_of(data, link.partner_of(chat_id)))
            for link in await data.store.partnerships.for_chat(chat_id)]


async def title_of(data: BotData, chat_id: int) -> str:
    chat = await data.store.chats.get(chat_id)
    return (chat.title if chat else None) or ""


async def partners_of(data: BotData, chat_id: int) -> list[tuple[Partnership, Chat]]:
    """A group's partnerships with their partner groups, those the bot is
    still in (a group that removed the bot shares nothing meanwhile)."""
    found = []
    for link in await data.store.partnerships.for_chat(chat_id):
        partner = await data.store.chats.get(link.partner_of(chat_id))
        if partner is not None and partner.active:
            found.append((link, partner))
    return found


async def view(data: BotData, link: Partnership, viewer_chat_id: int) -> PartnershipView:
    """The partnership seen from one of its groups: averages only."""
    tallies = {
        side: await data.store.partnerships.item_tallies(link.chat_of(side), PACK_OF_SIDE[side])
        for side in Side
    }
    return domain.compare(pair_specs(data.packs), tallies, link.side_of(viewer_chat_id),
                          _theme_order(data.packs))


async def send_view(
    bot: Bot, data: BotData, to_chat_id: int, link: Partnership, viewer_chat_id: int, *,
    in_private: bool,
) -> None:
    """Both sides side by side, then the chart, to `to_chat_id` (the group
    itself, or a coordinator's private chat). Raises Undeliverable."""
    chat, partner = await _chat_and_partner(data, link, viewer_chat_id)
    seen = await view(data, link, viewer_chat_id)
    parts = render.view_messages(
        data.catalog, chat.language, seen, data.packs, title=chat.title or "",
        partner=partner.title or "",
        complete_key="partnership.complete_private" if in_private else "partnership.complete_group")
    markup = (partner_link.agenda_button(data.catalog, chat.language, link.id, seen.viewer)
              if in_private and seen.complete else None)
    await _send_parts(bot, data, to_chat_id, parts, markup)
    if seen.compared:
        await _send_chart(bot, data, to_chat_id, seen, chat, partner)


async def send_agenda(
    bot: Bot, data: BotData, to_chat_id: int, link: Partnership, viewer_chat_id: int
) -> None:
    """The joint-meeting agenda, in the viewing group's language."""
    chat, partner = await _chat_and_partner(data, link, viewer_chat_id)
    seen = await view(data, link, viewer_chat_id)
    agenda = domain.agenda(seen)
    parts = render.agenda_messages(
        data.catalog, chat.language, agenda, seen.viewer, data.packs,
        title=chat.title or "", partner=partner.title or "", pack_of=PACK_OF_SIDE)
    # A joint action may start from each pair the agenda points at.
    markup = joint_render.agenda_keyboard(data.catalog, chat.language, link.id, seen.viewer,
                                          agenda)
    await _send_parts(bot, data, to_chat_id, parts, markup)


async def digest_section(bot: Bot, data: BotData, chat: Chat, user_id: int) -> None:
    """The partnership part of a coordinator's digest: each partner apart,
    with the agenda offered once both sides answered everything. Raises
    Undeliverable."""
    for link, _ in await partners_of(data, chat.id):
        await send_view(bot, data, user_id, link, chat.id, in_private=True)


async def question_note(data: BotData, chat: Chat, pack: Pack, item: Item) -> Html | None:
    """"Your partner is asked the same this week", for a checklist question
    in a linked group; None when no partner is."""
    side = domain.side_of_pack(pack.id)
    if side is None or item.pair is None:
        return None
    other_pack = data.packs.get(PACK_OF_SIDE[side.other])
    matching = next((i for i in other_pack.items if i.pair == item.pair), None) \
        if other_pack else None
    if matching is None:
        return None
    names = []
    for _, partner in await partners_of(data, chat.id):
        programme = await _programme(data, partner.id, other_pack, matching.id)
        if domain.asked_the_same_this_week(programme, matching.id, data.now()):
            names.append(partner.title or "")
    return render.question_note(data.catalog, chat.language, names)


async def _programme(
    data: BotData, chat_id: int, pack: Pack, matching_item: str
) -> domain.PartnerProgramme:
    """Where the partner group `chat_id` stands with `pack`'s matching item."""
    last_asked = await data.store.partnerships.last_asked(chat_id, pack.id, matching_item)
    enrolment = await data.store.enrolments.active_for(chat_id)
    if enrolment is None or enrolment.pack_id != pack.id:
        return domain.PartnerProgramme(last_asked, None, None, paused=True)
    upcoming = next_question(enrolment.cursor, len(pack.items))
    return domain.PartnerProgramme(last_asked, pack.items[upcoming.index].id,
                                   enrolment.next_due_at, paused=enrolment.paused)


async def _chat_and_partner(data: BotData, link: Partnership, chat_id: int) -> tuple[Chat, Chat]:
    return (await data.store.chats.get(chat_id),
            await data.store.chats.get(link.partner_of(chat_id)))


async def _send_parts(
    bot: Bot, data: BotData, chat_id: int, parts: list[str], markup: InlineKeyboardMarkup | None
) -> None:
    for number, part in enumerate(parts, start=1):
        last = number == len(parts)
        await deliver(data, chat_id, "sendMessage", lambda target, part=part, last=last:
                      bot.send_message(target, part, reply_markup=markup if last else None))


async def _send_chart(
    bot: Bot, data: BotData, chat_id: int, seen: PartnershipView, chat: Chat, partner: Chat
) -> None:
    # Drawn in a worker process, as the digest chart.
    picture = await data.charts.draw(
        render_partnership_chart, seen, data.catalog, chat.language, data.packs,
        title=chat.title or "", partner=partner.title or "")
    caption = data.catalog.text(chat.language, "partnership.chart_caption",
                                title=chat.title or "", partner=partner.title or "")
    await deliver(data, chat_id, "sendPhoto",
                  lambda target: bot.send_photo(target, picture, caption=caption))


async def _tell(bot: Bot, data: BotData, chat_id: int, text: str) -> None:
    try:
        await deliver(data, chat_id, "sendMessage", lambda target: bot.send_message(target, text))
    except Undeliverable as error:
        log.info("could not tell chat %s about its partnership: %s", chat_id, error.reason)
