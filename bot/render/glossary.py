"""What a question's terms mean, for the one person who asked.

Telegram shows a button's answer as a pop-up only to the person who tapped,
but caps it at 200 characters of plain text; longer explanations go to that
person's private chat as a message.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.content.glossary import Glossary
from bot.content.locales import Catalog
from bot.content.packs import localized
from bot.render.split import telegram_length

ALERT_LIMIT = 200  # answerCallbackQuery's text, in characters
_ELLIPSIS = "…"


def _terms(glossary: Glossary, term_ids: Sequence[str], language: str) -> list[tuple[str, str]]:
    return [(localized(term.name, language), localized(term.meaning, language))
            for term in map(glossary.get, term_ids) if term is not None]


def meanings_message(
    catalog: Catalog, language: str, glossary: Glossary, term_ids: Sequence[str]
) -> str:
    """Every term's meaning, as a message (HTML)."""
    return "\n".join([catalog.text(language, "glossary.title"), "", *(
        catalog.text(language, "glossary.entry", term=name, meaning=meaning)
        for name, meaning in _terms(glossary, term_ids, language))])


def meanings_alert(
    catalog: Catalog, language: str, glossary: Glossary, term_ids: Sequence[str]
) -> tuple[str, bool]:
    """The meanings as a pop-up (plain text, at most ALERT_LIMIT), and whether
    all of them fit. When they do not, the pop-up holds the whole entries that
    fit and says where to read the rest."""
    entry = catalog.raw(language, "glossary.alert_entry")
    lines = [entry.format(term=name, meaning=meaning)
             for name, meaning in _terms(glossary, term_ids, language)]
    whole = "\n".join(lines)
    if telegram_length(whole) <= ALERT_LIMIT:
        return whole, True
    more = catalog.raw(language, "glossary.more")
    room = ALERT_LIMIT - telegram_length(more) - 1  # and its line break
    shown: list[str] = []
    for line in lines:
        if telegram_length("\n".join([*shown, line])) > room:
            break
        shown.append(line)
    if not shown:  # one meaning longer than a pop-up: its beginning
        cut = lines[0]
        while telegram_length(cut + _ELLIPSIS) > room:
            cut = cut[:-1]
        shown = [cut.rstrip() + _ELLIPSIS]
    return "\n".join([*shown, more]), False
