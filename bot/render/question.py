"""A question as it appears in a group, and its private twin."""

from __future__ import annotations

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.locales import Catalog
from bot.packs import Item, Pack


def deep_link(bot_username: str, payload: str) -> str:
    return f"https://t.me/{bot_username}?start={payload}"


def _heading(catalog: Catalog, language: str, pack: Pack, item: Item) -> str:
    theme = pack.theme_name(item.theme, language) if item.theme else pack.title[language]
    return catalog.text(language, "question.heading", theme=theme, position=item.position,
                        total=len(pack.items))


def group_question(
    catalog: Catalog, language: str, pack: Pack, item: Item, *, answered: int,
    closed: bool = False, late: bool = False, note: str | None = None,
) -> str:
    """`note`: an optional line (already rendered HTML) under the question,
    such as "your partner is asked the same this week"."""
    lines = [_heading(catalog, language, pack, item)]
    if late:
        lines.append(catalog.text(language, "question.late"))
    lines += ["", catalog.text(language, "question.body", text=item.text_in(language)), ""]
    if note:
        lines += [note, ""]
    if closed:
        lines.append(catalog.plural(language, "question.closed", answered))
    else:
        how = "question.how_scale" if item.answer == "scale" else "question.how_text"
        lines.append(catalog.text(language, how))
        lines.append(catalog.plural(language, "question.count", answered))
    return "\n".join(lines)


def scale_rows(catalog: Catalog, language: str, pack: Pack, prompt_id: int) -> list[list]:
    labels = pack.scale[language]
    buttons = [
        InlineKeyboardButton(
            catalog.text(language, "question.scale_button", value=value, label=label),
            callback_data=callbacks.encode(callbacks.Rate(prompt_id, value)),
        )
        for value, label in enumerate(labels, start=1)
    ]
    skip = InlineKeyboardButton(
        catalog.text(language, "question.skip"),
        callback_data=callbacks.encode(callbacks.Rate(prompt_id, 0)),
    )
    return [buttons[:3], [*buttons[3:], skip]]


def group_keyboard(
    catalog: Catalog, language: str, pack: Pack, item: Item, prompt_id: int, bot_username: str
) -> InlineKeyboardMarkup:
    rows = scale_rows(catalog, language, pack, prompt_id) if item.answer == "scale" else []
    rows.append([
        InlineKeyboardButton(
            catalog.text(language, "question.answer_privately"),
            url=deep_link(bot_username, f"p{prompt_id}"),
        ),
        InlineKeyboardButton(
            catalog.text(language, "question.quote_toggle"),
            callback_data=callbacks.encode(callbacks.Quote(prompt_id)),
        ),
    ])
    return InlineKeyboardMarkup(rows)


def private_question(
    catalog: Catalog, language: str, pack: Pack, item: Item, *, group_title: str
) -> str:
    return "\n".join([
        catalog.text(language, "private.from_group", title=group_title),
        _heading(catalog, language, pack, item),
        "",
        catalog.text(language, "question.body", text=item.text_in(language)),
        "",
        catalog.text(language, "private.stays_private"),
    ])


def private_keyboard(
    catalog: Catalog, language: str, pack: Pack, item: Item, prompt_id: int
) -> InlineKeyboardMarkup | None:
    if item.answer != "scale":
        return None
    return InlineKeyboardMarkup(scale_rows(catalog, language, pack, prompt_id))


def comment_invitation(catalog: Catalog, language: str) -> tuple[str, ForceReply]:
    return (
        catalog.text(language, "private.comment_invitation"),
        ForceReply(input_field_placeholder=catalog.raw(language, "private.comment_placeholder")),
    )
