"""A question as it appears in a group, and its private twin."""

from __future__ import annotations

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.locales import Catalog
from bot.content.packs import Item, Pack
from bot.render import callbacks


def deep_link(bot_username: str, payload: str) -> str:
    return f"https://t.me/{bot_username}?start={payload}"


def heading(catalog: Catalog, language: str, pack: Pack, item: Item) -> str:
    """Theme (or programme) and number, numbered as the source numbers it
    ("XIII", "13") and as the weekly summary does, with the place in the pack
    when that number is not already it."""
    theme = pack.theme_name(item.theme, language) if item.theme else pack.title_in(language)
    if item.number == str(item.position):
        return catalog.text(language, "question.heading", theme=theme, position=item.position,
                            total=len(pack.items))
    return catalog.text(language, "question.heading_labelled", theme=theme, label=item.number,
                        position=item.position, total=len(pack.items))


def theme_note(catalog: Catalog, language: str, pack: Pack, item: Item) -> list[str]:
    """One plain line on what a stage means, the first time it appears."""
    note = pack.theme_note(item, language)
    return [catalog.text(language, "question.theme_note", note=note)] if note else []


def referred_to(catalog: Catalog, language: str, pack: Pack, item: Item) -> list[str]:
    """The earlier question this one refers back to ("these goals"), quoted
    in a quieter line above it: the checklist is verbatim, so it cannot be
    reworded to say what "these" are."""
    earlier = pack.earlier(item)
    if earlier is None:
        return []
    if earlier.label:
        return [catalog.text(language, "question.refers_to_labelled", label=earlier.number,
                             text=earlier.text_in(language))]
    return [catalog.text(language, "question.refers_to", text=earlier.text_in(language))]


def body(catalog: Catalog, language: str, pack: Pack, item: Item) -> list[str]:
    return [*referred_to(catalog, language, pack, item),
            catalog.text(language, "question.body", text=item.text_in(language))]


def group_question(
    catalog: Catalog, language: str, pack: Pack, item: Item, *, answered: int,
    closed: bool = False, late: bool = False, note: str | None = None,
) -> str:
    """`note`: an optional line (already rendered HTML) under the question,
    such as "your partner is asked the same this week"."""
    lines = [heading(catalog, language, pack, item)]
    if late:
        lines.append(catalog.text(language, "question.late"))
    lines += [*theme_note(catalog, language, pack, item), "",
              *body(catalog, language, pack, item), ""]
    if note:
        lines += [note, ""]
    # Before the first answer, and at a close without any, no "0 people":
    # a count of nobody reads as a reproach.
    if closed:
        lines.append(catalog.plural(language, "question.closed", answered) if answered
                     else catalog.text(language, "question.closed_none"))
    else:
        how = "question.how_scale" if item.answer == "scale" else "question.how_text"
        lines.append(catalog.text(language, how))
        lines.append(catalog.plural(language, "question.count", answered) if answered
                     else catalog.text(language, "question.count_none"))
    return "\n".join(lines)


def glossary_rows(catalog: Catalog, language: str, item: Item, prompt_id: int) -> list[list]:
    """A "What does this mean?" button for a question that uses jargon."""
    if not item.terms:
        return []
    return [[InlineKeyboardButton(
        catalog.text(language, "glossary.button"),
        callback_data=callbacks.encode(callbacks.Explain(prompt_id)),
    )]]


def scale_rows(catalog: Catalog, language: str, pack: Pack, prompt_id: int) -> list[list]:
    labels = pack.scale_in(language)
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
    rows.append([InlineKeyboardButton(catalog.text(language, "question.answer_privately"),
                                      url=deep_link(bot_username, f"p{prompt_id}"))])
    # Two buttons, each setting its state: a toggle pressed twice (a press
    # Telegram delivers again) would undo the member's choice.
    rows.append([
        InlineKeyboardButton(catalog.text(language, "question.quote_allow"),
                             callback_data=callbacks.encode(callbacks.Quote(prompt_id, True))),
        InlineKeyboardButton(catalog.text(language, "question.quote_withdraw"),
                             callback_data=callbacks.encode(callbacks.Quote(prompt_id, False))),
    ])
    return InlineKeyboardMarkup([*rows, *glossary_rows(catalog, language, item, prompt_id)])


def private_question(
    catalog: Catalog, language: str, pack: Pack, item: Item, *, group_title: str,
    rating: int | None = None,
) -> str:
    """The question in a member's private chat. `rating`: the one they have
    given already (in the group or here), said in text: a tap's pop-up does
    not always reach a screen reader, so opening the question again reads it."""
    given = []
    if rating:
        labels = pack.scale_in(language)
        given = ["", catalog.text(language, "private.your_rating", value=rating,
                                  label=labels[rating - 1] if len(labels) >= rating else "")]
    return "\n".join([
        catalog.text(language, "private.from_group", title=group_title),
        heading(catalog, language, pack, item),
        *theme_note(catalog, language, pack, item),
        "",
        *body(catalog, language, pack, item),
        *given,
        "",
        catalog.text(language, "private.stays_private"),
    ])


def private_keyboard(
    catalog: Catalog, language: str, pack: Pack, item: Item, prompt_id: int
) -> InlineKeyboardMarkup | None:
    rows = scale_rows(catalog, language, pack, prompt_id) if item.answer == "scale" else []
    rows += glossary_rows(catalog, language, item, prompt_id)
    return InlineKeyboardMarkup(rows) if rows else None


def comment_invitation(catalog: Catalog, language: str) -> tuple[str, ForceReply]:
    return (
        catalog.text(language, "private.comment_invitation"),
        ForceReply(input_field_placeholder=catalog.raw(language, "private.comment_placeholder")),
    )
