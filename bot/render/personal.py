"""Personal reflection in a private chat: the wizard's messages, prompts, the
journal, the weekly recap and the journal's export files.

Everything the person typed goes in escaped and inside Unicode isolates, so
HTML, emoji or right-to-left text in an answer shows exactly as typed and
cannot reorder the line around it. Answers shown in a message are cut to a
budget counted in escaped UTF-16 units (what Telegram counts), so a journal
page of PAGE_SIZE entries or a recap always fits in one message.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from functools import partial

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.locales import Catalog, Html
from bot.content.packs import Item, Pack, PackLibrary, localized
from bot.domain import onboarding as wizard
from bot.domain.commitments import Commitment
from bot.domain.recap import ELLIPSIS, JournalEntry, Recap, cut_at_word, shorten
from bot.domain.schedule import WEEKDAYS, local
from bot.render import callbacks, commitments
from bot.render.question import private_keyboard, referred_to, theme_note
from bot.render.setup import button, comes_at, rows, ticked
from bot.render.split import telegram_length
from bot.render.summary import isolate

PAGE_SIZE = 5  # journal entries a page; the caller passes at most this many
PROMPT_CHARS = 100  # a prompt quoted on a journal page
SHORT_PROMPT_CHARS = 80  # a prompt quoted after saving an answer, and in the recap
ANSWER_UNITS = 450  # one answer on a journal page, escaped: 5 worst cases fit in 4096
ANSWER_LINES = 6
RECAP_LINES = 7  # a week of daily prompts; any more are counted, not shown
RECAP_ANSWER_UNITS = 300
NAME_CHARS = 40
# A commitment under its entry takes this much of the answer's room: its
# words, its note, and its state and dates (fixed wording, about 100 units).
COMMITMENT_TEXT_UNITS = 120
COMMITMENT_NOTE_UNITS = 80
COMMITMENT_UNITS = 320
_MIN_LINE_UNITS = 12  # with less room left, an answer's further lines are left out
_COMMANDS = ("later", "skip", "pause", "journal", "export", "forget")

Say = Callable[..., str]


def in_language(texts: Mapping[str, str], language: str) -> str:
    """A pack's text in `language`, else in English, else its first language."""
    return localized(texts, language)


def _and_list(catalog: Catalog, language: str, names: Sequence[str]) -> str:
    if len(names) < 2:
        return "".join(names)
    return catalog.raw(language, "personal.list_and").format(
        rest=", ".join(names[:-1]), last=names[-1])


def _clip(text: str, units: int) -> tuple[str, bool]:
    """`text`, cut (with "…") so that escaped it takes at most `units` units."""
    costs = [telegram_length(html.escape(char, quote=False)) for char in text]
    if sum(costs) <= units:
        return text, False
    room, end = units - telegram_length(ELLIPSIS), 0
    while end < len(text) and costs[end] <= room:
        room -= costs[end]
        end += 1
    return cut_at_word(text, end) + ELLIPSIS, True


def _user_html(text: str, units: int) -> tuple[Html, bool]:
    """One line the person typed, safe to show: escaped, isolated, clipped."""
    piece, clipped = _clip(text, units - 2)  # the two isolate marks
    return Html(html.escape(isolate(piece), quote=False)), clipped


def rating_label(rating: int, pack: Pack | None, language: str) -> str | None:
    labels = pack.scale_in(language) if pack else ()
    return labels[rating - 1] if 1 <= rating <= len(labels) else None


def rating_line(say: Say, key: str, rating: int, pack: Pack | None, language: str) -> str:
    """`key` with the scale's label, or `key`_plain when the pack has none."""
    label = rating_label(rating, pack, language)
    return say(key, value=rating, label=label) if label else say(f"{key}_plain", value=rating)


def lookup(packs: PackLibrary, pack_id: str, item_id: str) -> tuple[Pack | None, Item | None]:
    pack = packs.get(pack_id)
    return pack, pack.item(item_id) if pack else None


# -- the personal wizard -------------------------------------------------------------------------


def onboarding_step(
    catalog: Catalog, language: str, draft: wizard.OnboardingDraft, packs: PackLibrary
) -> tuple[str, InlineKeyboardMarkup]:
    say, step = partial(catalog.text, language), draft.step
    if step == wizard.DONE:
        raise ValueError("the wizard is finished: onboarding_done has its message")
    lines = [say("onboarding.title"), "", say(f"onboarding.ask_{step}")]
    if step == wizard.PROGRAMME:
        choices = packs.for_individuals()
        lines += ["", *(say("onboarding.programme_line", title=in_language(p.title, language),
                            description=in_language(p.description, language)) for p in choices)]
        keyboard = rows([button(in_language(p.title, language), step, p.id) for p in choices], 1)
    elif step == wizard.CADENCE:
        keyboard = [[button(say(f"onboarding.cadence_{c}"), step, c)
                     for c in wizard.PERSONAL_CADENCES]]
    elif step == wizard.DAYS:
        buttons = [button(ticked(say(f"weekday.{d}"), d in draft.days), step, d)
                   for d in WEEKDAYS]
        if draft.days:  # OK comes with the first ticked day: earlier it could only fail
            buttons.append(button(say("onboarding.days_ok"), step, wizard.DAYS_DONE))
        keyboard = rows(buttons, 4)
    elif step == wizard.TIME:
        if not draft.ask_timezone:
            lines.append(say("onboarding.time_zone_note", timezone=draft.timezone))
        keyboard = rows([button(t, step, t) for t in wizard.PERSONAL_TIMES], 3)
    elif step == wizard.TIMEZONE:
        zones = list(wizard.TIMEZONE_CHOICES)
        if draft.timezone and draft.timezone not in zones:
            zones.insert(0, draft.timezone)
        keyboard = rows([button(ticked(z, z == draft.timezone), step, z) for z in zones], 2)
    elif step == wizard.RECAP:
        buttons = [button(say(f"weekday.{d}"), step, d) for d in WEEKDAYS]
        buttons.append(button(say("onboarding.recap_none"), step, wizard.NO_RECAP))
        keyboard = rows(buttons, 4)
    else:
        raise ValueError(f"no wizard step {step!r}")
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


def schedule_phrase(catalog: Catalog, language: str, draft: wizard.OnboardingDraft) -> str:
    days = _and_list(catalog, language, [catalog.text(language, f"weekday.{d}")
                                         for d in draft.days])
    key = "onboarding.schedule_days" if draft.cadence == "days" else "onboarding.schedule_daily"
    return catalog.text(language, key, days=Html(days), time=draft.local_time,
                        timezone=draft.timezone)


def onboarding_done(
    catalog: Catalog, language: str, draft: wizard.OnboardingDraft, packs: PackLibrary,
    first: datetime, now: datetime | None = None,
) -> str:
    """What comes, when (the first prompt in the person's own zone), and how to answer."""
    say, pack = partial(catalog.text, language), packs[draft.pack_id]
    recap = (say("onboarding.recap_on", day=say(f"weekday.{draft.recap_day}"))
             if draft.recap_day else say("onboarding.recap_off"))
    first_when = Html(comes_at(catalog, language, first, draft.timezone, now))
    paragraphs = [
        say("onboarding.done", programme=in_language(pack.title, language)),
        "\n".join([schedule_phrase(catalog, language, draft),
                   say("onboarding.first", when=first_when), recap]),
    ]
    if pack.attribution:
        source = in_language(pack.attribution, language)
        paragraphs.append(say("onboarding.attribution", source=source))
    paragraphs += [
        say("onboarding.how"),
        "\n".join([say("onboarding.commands"),
                   *(say(f"onboarding.command_{command}") for command in _COMMANDS)]),
        say("onboarding.private"),
    ]
    return "\n\n".join(paragraphs)


# -- prompts and answers -------------------------------------------------------------------------


def personal_question(
    catalog: Catalog, language: str, pack: Pack, item: Item, *, position: int, total: int
) -> str:
    say = partial(catalog.text, language)
    programme = pack.title_in(language)
    # Numbered as in a group and in the source ("III"), with the place in the pack.
    lines = [say("personal.heading", programme=programme, position=position, total=total)
             if item.number == str(position) else
             say("personal.heading_labelled", programme=programme, label=item.number,
                 position=position, total=total)]
    if item.theme in pack.themes:
        lines.append(say("personal.theme", theme=pack.theme_name(item.theme, language)))
    how = "personal.how_scale" if item.answer == "scale" else "personal.how_text"
    lines += [*theme_note(catalog, language, pack, item), "",
              *referred_to(catalog, language, pack, item),
              say("personal.body", text=item.text_in(language)), "", say(how),
              say("personal.commands")]
    return "\n".join(lines)


def personal_keyboard(
    catalog: Catalog, language: str, pack: Pack, item: Item, prompt_id: int
) -> InlineKeyboardMarkup | None:
    """Scale buttons for a rating prompt (a written answer needs none), and
    "What does this mean?" under a prompt that uses jargon."""
    return private_keyboard(catalog, language, pack, item, prompt_id)


def saved(catalog: Catalog, language: str, packs: PackLibrary, pack_id: str,
          item_id: str, *, added: bool = False) -> str:
    """What an answer to one's own prompt is told once it is saved (or
    added to what the person wrote before)."""
    pack, item = lookup(packs, pack_id, item_id)
    if item is None:
        return catalog.text(language, "answer.saved")
    return saved_in_journal(catalog, language, pack, item, added=added)


def saved_in_journal(catalog: Catalog, language: str, pack: Pack, item: Item, *,
                     added: bool = False) -> str:
    """Names the prompt, since answers to group questions share this chat."""
    return catalog.text(language, "personal.added" if added else "personal.saved",
                        programme=in_language(pack.title, language),
                        prompt=shorten(in_language(item.text, language), SHORT_PROMPT_CHARS))


def later_text(catalog: Catalog, language: str, again_at: datetime, timezone: str) -> str:
    return catalog.text(language, "personal.later",
                        time=local(again_at, timezone).strftime("%H:%M"))


def resumed_text(catalog: Catalog, language: str, next_prompt: datetime, timezone: str,
                 now: datetime | None = None) -> str:
    return catalog.text(language, "personal.resumed",
                        when=Html(comes_at(catalog, language, next_prompt, timezone, now)))


def rested_text(catalog: Catalog, language: str, unanswered: int) -> str:
    return catalog.plural(language, "personal.rested", unanswered)


def timezone_changed_text(catalog: Catalog, language: str, timezone: str) -> str:
    return catalog.text(language, "personal.timezone_changed", timezone=timezone)


# -- the journal ---------------------------------------------------------------------------------


def page_count(total_entries: int) -> int:
    """Pages of the journal; an empty journal still has its one (empty) page."""
    return max(1, -(-total_entries // PAGE_SIZE))


def journal_button_data(page: int, pack_id: str | None) -> str:
    """callback_data of a journal page button (encoded where all buttons are)."""
    if isinstance(page, bool) or not isinstance(page, int):
        raise ValueError(f"not a page number: {page!r}")
    return callbacks.encode(callbacks.Journal(page, pack_id))


def entry_date(catalog: Catalog, language: str, moment: datetime, timezone: str) -> str:
    """Plain text (no HTML), for messages and for the Markdown export alike."""
    moment = local(moment, timezone)
    return catalog.raw(language, "journal.date").format(
        weekday=catalog.raw(language, f"weekday.{WEEKDAYS[moment.weekday()]}"),
        day=moment.day, month=catalog.raw(language, f"month.{moment.month}"),
        year=moment.year, time=moment.strftime("%H:%M"))


def _answer_lines(text: str, units: int, most: int) -> tuple[list[Html], bool]:
    """The answer's non-blank lines, escaped, within `units` in all; and
    whether anything was left out."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    shown: list[Html] = []
    left, shortened = units, False
    for line in lines[:most]:
        piece, shortened = _user_html(line, left)
        shown.append(piece)
        left -= telegram_length(piece) + 1  # and the line break
        if shortened or left < _MIN_LINE_UNITS:
            break
    if len(shown) < len(lines):
        if not shortened:  # whole lines left out: say so under the last one shown
            shown.append(Html(ELLIPSIS))
        shortened = True
    return shown, shortened


def _journal_entry(
    catalog: Catalog, language: str, entry: JournalEntry, packs: PackLibrary, timezone: str,
    commitment: Commitment | None = None,
) -> tuple[list[str], bool]:
    say = partial(catalog.text, language)
    pack, item = lookup(packs, entry.pack_id, entry.item_id)
    prompt = (shorten(in_language(item.text, language), PROMPT_CHARS) if item
              else catalog.raw(language, "journal.unknown_prompt"))
    programme = in_language(pack.title, language) if pack else entry.pack_id
    lines = [say("journal.entry", programme=programme,
                 date=entry_date(catalog, language, entry.answered_at, timezone)),
             say("journal.prompt", prompt=prompt)]
    if entry.rating is not None:
        lines.append(rating_line(say, "journal.rating", entry.rating, pack, language))
    shortened = False
    room = ANSWER_UNITS - (COMMITMENT_UNITS if commitment is not None else 0)
    if entry.has_text:
        pieces, shortened = _answer_lines(entry.text, room, ANSWER_LINES)
        lines += [say("journal.text_more" if index else "journal.text_first", text=piece)
                  for index, piece in enumerate(pieces)]
    if entry.has_voice:
        lines.append(say("journal.voice"))
    if not entry.answered:
        lines.append(say("journal.skipped"))
    if commitment is not None:
        note = _user_html(commitment.note, COMMITMENT_NOTE_UNITS)[0] if commitment.note else None
        lines += commitments.lines(catalog, language, replace(
            commitment, text=_user_html(commitment.text, COMMITMENT_TEXT_UNITS)[0], note=note),
            timezone)
    return lines, shortened


def journal_page(
    catalog: Catalog, language: str, entries: Sequence[JournalEntry], packs: PackLibrary, *,
    page: int, pages: int, pack_filter: str | None, timezone: str = "UTC",
    commitments_by_prompt: Mapping[int, Commitment] | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of the journal, newest first, dated in the person's `timezone`.
    Pages count from 1, the newest; "‹ Newer" goes to page - 1."""
    if len(entries) > PAGE_SIZE:
        raise ValueError(f"a journal page shows at most {PAGE_SIZE} entries")
    say = partial(catalog.text, language)
    filtered = packs.get(pack_filter) if pack_filter else None
    programme = (in_language(filtered.title, language) if filtered
                 else _clip(pack_filter or "", NAME_CHARS)[0])
    lines = [say("journal.title_programme", programme=programme) if pack_filter
             else say("journal.title")]
    if not entries:
        lines += ["", say("journal.empty_programme", programme=programme) if pack_filter
                  else say("journal.empty")]
        return "\n".join(lines), None
    if pages > 1:
        lines.append(say("journal.page", page=page, pages=pages))
    any_shortened = False
    for entry in sorted(entries, key=lambda e: (e.answered_at, e.prompt_id), reverse=True):
        entry_lines, shortened = _journal_entry(catalog, language, entry, packs, timezone,
                                                (commitments_by_prompt or {}).get(entry.prompt_id))
        lines += ["", *entry_lines]
        any_shortened = any_shortened or shortened
    if any_shortened:
        lines += ["", say("journal.shortened")]
    buttons = [
        InlineKeyboardButton(say(key), callback_data=journal_button_data(target, pack_filter))
        for key, target, shown in (("journal.newer", page - 1, page > 1),
                                   ("journal.older", page + 1, page < pages))
        if shown
    ]
    return "\n".join(lines), InlineKeyboardMarkup([buttons]) if buttons else None


def journal_unknown_filter(catalog: Catalog, language: str, name: str, packs: PackLibrary) -> str:
    """For /journal NAME when NAME is not a personal programme's id."""
    ids = ", ".join(pack.id for pack in packs.for_individuals())
    return catalog.text(language, "journal.unknown_filter",
                        name=isolate(_clip(name, NAME_CHARS)[0]), ids=ids)


# -- the weekly recap ----------------------------------------------------------------------------


def recap_text(catalog: Catalog, language: str, recap: Recap, packs: PackLibrary) -> str:
    say = partial(catalog.text, language)
    lines = [say("recap.title")]
    if recap.count:
        lines += ["", catalog.plural(language, "recap.count", recap.count)]
    for line in recap.lines[:RECAP_LINES]:
        pack, item = lookup(packs, line.pack_id, line.item_id)
        lines.append(say("recap.prompt", prompt=shorten(in_language(item.text, language),
                                                        SHORT_PROMPT_CHARS) if item
                         else catalog.raw(language, "journal.unknown_prompt")))
        parts: list[str] = []
        if line.rating is not None:
            parts.append(rating_line(say, "recap.rating", line.rating, pack, language))
        if line.excerpt:
            parts.append(_user_html(line.excerpt, RECAP_ANSWER_UNITS)[0])
        elif line.has_voice:
            parts.append(say("recap.voice"))
        if parts:
            lines.append(say("recap.answer", answer=Html(" — ".join(parts))))
    if recap.count > RECAP_LINES:
        lines.append(catalog.plural(language, "recap.more", recap.count - RECAP_LINES))
    shown = recap.commitments[:RECAP_LINES]
    lines += commitments.recap_block(catalog, language, [
        replace(c, text=_user_html(c.text, COMMITMENT_TEXT_UNITS)[0]) for c in shown])
    _, ahead = lookup(packs, *recap.next_item) if recap.next_item else (None, None)
    if ahead:
        lines += ["", say("recap.ahead_title"),
                  say("recap.ahead", text=in_language(ahead.text, language))]
    lines += ["", say("recap.footer")]
    return "\n".join(lines)
