"""/status, /resume and /coordinators replies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.content.locales import Catalog, Html
from bot.content.packs import PackLibrary
from bot.domain.records import Chat, Enrolment, Prompt
from bot.render.setup import when


def status(
    catalog: Catalog, chat: Chat, packs: PackLibrary, enrolment: Enrolment | None,
    current: Prompt | None, answered: int,
) -> str:
    lang = chat.language
    if enrolment is None or enrolment.pack_id not in packs:
        return catalog.text(lang, "status.not_set_up")
    pack = packs[enrolment.pack_id]
    lines = [catalog.text(lang, "status.programme", programme=pack.title_in(lang))]
    item = pack.item(current.item_id) if current else None
    if item is not None:
        # Numbered as the question's heading numbers it ("XIII (13 of 15)").
        values = {"position": item.position, "total": len(pack.items),
                  "text": _short(item.text_in(lang))}
        lines.append(catalog.text(lang, "status.current", **values)
                     if item.number == str(item.position) else
                     catalog.text(lang, "status.current_labelled", label=item.number, **values))
        # Anyone may send /status in the group: how many answered, never how
        # many did not (in a small group, "3 of 4" names the fourth).
        lines.append(catalog.plural(lang, "status.answered", answered))
    else:
        lines.append(catalog.text(lang, "status.no_current"))
    if enrolment.paused:
        lines.append(catalog.text(lang, "status.paused"))
    elif enrolment.next_due_at is not None:
        lines.append(catalog.text(
            lang, "status.next",
            when=Html(when(catalog, lang, enrolment.next_due_at, chat.timezone)),
        ))
    return "\n".join(lines)


def resumed(catalog: Catalog, chat: Chat, next_due: datetime | None) -> str:
    lines = [catalog.text(chat.language, "resume.done")]
    if next_due is not None:
        lines.append(catalog.text(
            chat.language, "status.next",
            when=Html(when(catalog, chat.language, next_due, chat.timezone)),
        ))
    return "\n".join(lines)


def coordinators(catalog: Catalog, chat: Chat, names: Sequence[str]) -> str:
    if not names:
        return catalog.text(chat.language, "coordinators.none")
    lines = [catalog.text(chat.language, "coordinators.title")]
    lines += [catalog.text(chat.language, "coordinators.line", name=name) for name in names]
    lines.append(catalog.text(chat.language, "coordinators.how_to_add"))
    return "\n".join(lines)


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
