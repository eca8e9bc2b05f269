"""Messages and buttons that link two groups and unlink them: the code,
what will be shared, why a code was refused, and /unpartner's choices."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.locales import Catalog, Html
from bot.domain.partner_link import Refusal, display_code
from bot.domain.partnership import Side
from bot.domain.summary import MIN_RESPONDENTS
from bot.render import callbacks
from bot.render.setup import when

# A group's title on a button is plain text (no HTML there), cut to stay readable.
BUTTON_TITLE_CHARS = 48


def shares(catalog: Catalog, language: str) -> Html:
    """What partners see of each other, and what they never see."""
    return Html(catalog.text(language, "partner.shares", min=MIN_RESPONDENTS))


def code_issued(
    catalog: Catalog, language: str, *, side: Side, code: str, title: str,
    expires_at: datetime, timezone: str,
) -> str:
    return catalog.text(
        language, f"partner.code_{side}", title=title, code=display_code(code),
        until=Html(when(catalog, language, expires_at, timezone)),
        shares=shares(catalog, language),
    )


def linked(catalog: Catalog, language: str, *, title: str, partner: str) -> str:
    return catalog.text(language, "partner.linked", title=title, partner=partner,
                        shares=shares(catalog, language))


def refused(catalog: Catalog, language: str, refusal: Refusal, *, typed: str = "",
            partner: str = "") -> str:
    # Each refusal uses the values it needs; str.format ignores the others.
    return catalog.text(language, f"partner.refused_{refusal}", typed=typed[:40],
                        partner=partner)


def button_title(title: str) -> str:
    title = " ".join(title.split()) or "…"
    return title if len(title) <= BUTTON_TITLE_CHARS else title[:BUTTON_TITLE_CHARS - 1] + "…"


def _button(label: str, callback: callbacks.Callback) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=callbacks.encode(callback))


def confirm_end(
    catalog: Catalog, language: str, partnership_id: int, partner: str
) -> tuple[str, InlineKeyboardMarkup]:
    return (
        catalog.text(language, "unpartner.confirm", partner=partner),
        InlineKeyboardMarkup([[
            _button(catalog.raw(language, "unpartner.yes"),
                    callbacks.Unpartner(partnership_id, "end")),
            _button(catalog.raw(language, "unpartner.no"),
                    callbacks.Unpartner(partnership_id, "keep")),
        ]]),
    )


def choose_to_end(
    catalog: Catalog, language: str, partners: Sequence[tuple[int, str]]
) -> tuple[str, InlineKeyboardMarkup]:
    """/unpartner with several partners: (partnership id, partner title) each."""
    rows = [[_button(button_title(title), callbacks.Unpartner(partnership_id, "pick"))]
            for partnership_id, title in partners]
    rows.append([_button(catalog.raw(language, "unpartner.keep_all"),
                         callbacks.Unpartner(None, "keep"))])
    return catalog.text(language, "unpartner.choose"), InlineKeyboardMarkup(rows)


def choose_partnership(
    catalog: Catalog, language: str, choices: Sequence[tuple[int, Side, str, str]], *,
    agenda: bool,
) -> tuple[str, InlineKeyboardMarkup]:
    """In private, a coordinator of several partnerships picks one:
    (partnership id, their group's side, their group's title, partner title)."""
    rows = [
        [_button(catalog.raw(language, "partnership.choice").format(
            title=button_title(title), partner=button_title(partner)),
            callbacks.PartnershipView(partnership_id, str(side), agenda))]
        for partnership_id, side, title, partner in choices
    ]
    key = "partnership.choose_agenda" if agenda else "partnership.choose"
    return catalog.text(language, key), InlineKeyboardMarkup(rows)


def agenda_button(
    catalog: Catalog, language: str, partnership_id: int, side: Side
) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(
        catalog.raw(language, "partnership.agenda_button"),
        callbacks.PartnershipView(partnership_id, str(side), True))]])
