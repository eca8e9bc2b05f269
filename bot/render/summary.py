"""The weekly group summary and the coordinator digest, as Telegram HTML.

Everything a person typed (names, comments, the group's title) is escaped
once, by `user()`, inside Unicode isolates so that right-to-left text or a
stray direction mark stays inside its own span instead of reordering the
line around it. Catalog templates are then filled with values that are all
safe already (escaped user text, numbers, our own catalog text): this is
the hot path of the weekly run, where Catalog.text's per-value escaping on
every line would cost more than everything else together.

Every line closes the tags it opens, so a long digest can be cut between
any two lines.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from datetime import date

from bot.content.locales import Catalog, escape, plural_form
from bot.content.packs import PackLibrary, localized
from bot.domain.summary import (
    MIN_RESPONDENTS,
    NEW_MEMBER_DAYS,
    NOT_HEARD_DAYS,
    Absence,
    AbsentMember,
    CoordinatorDigest,
    QuestionSummary,
    SeenComment,
    ThemeScore,
    WeeklySummary,
    WhosNotHere,
)
from bot.render.split import TELEGRAM_LIMIT, split_lines

BAR_BLOCK = "▇"
BAR_WIDTH = 10  # longest bar, in blocks; up to this many people, one block a person
EMPTY_BAR = "·"
QUOTES_PER_QUESTION = 5  # the group summary should stay one message: the digest shows all
QUOTE_CHARS = 300
# Controls that open or close a bidirectional span. Removed from user text so
# a comment cannot close our isolate early or leave an override open past it
# (plain marks such as U+200F have no span, and RTL writers use them: kept).
_BIDI_SPANS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_HAS_BIDI_SPAN = re.compile(f"[{_BIDI_SPANS}]")
_NO_BIDI_SPANS = str.maketrans("", "", _BIDI_SPANS)
_FIRST_STRONG_ISOLATE, _POP_ISOLATE = "\u2068", "\u2069"
# The encoder itself: str.encode("utf-16-le") looks the codec up by name on every call.
_utf16 = codecs.utf_16_le_encode


def isolate(text: str) -> str:
    """User text as one bidirectional island (not escaped: see `user`)."""
    if _HAS_BIDI_SPAN.search(text):  # rare: skip translate's cost otherwise
        text = text.translate(_NO_BIDI_SPANS)
    return f"{_FIRST_STRONG_ISOLATE}{text}{_POP_ISOLATE}"


def user(text: str) -> str:
    """User text as one bidirectional island, escaped: safe in any template."""
    if _HAS_BIDI_SPAN.search(text):
        text = text.translate(_NO_BIDI_SPANS)
    return f"{_FIRST_STRONG_ISOLATE}{escape(text)}{_POP_ISOLATE}"


def theme_name(packs: PackLibrary, theme: str, language: str) -> str:
    """A theme's name (plain text) from the first pack that declares it."""
    for pack in packs:
        names = pack.themes.get(theme)
        if names:
            return localized(names, language)
    return theme


def group_summary_text(catalog: Catalog, summary: WeeklySummary, packs: PackLibrary) -> str:
    """What the whole group sees: counts, spreads, scores and consented quotes."""
    page = _Page(catalog, summary.language, packs)
    _header(page, summary, "summary.title")
    for number, question in enumerate(summary.questions, start=1):
        page.blank()
        _question(page, number, question)
        _quotes(page, question.quotes)
    _theme_scores(page, summary.themes)
    page.blank()
    page.add("summary.footer")
    return "\n".join(page.lines)


def group_summary_messages(
    catalog: Catalog, summary: WeeklySummary, packs: PackLibrary
) -> list[str]:
    """The group summary cut into messages Telegram accepts (a daily
    programme with many comments can pass 4096 characters)."""
    return _messages(group_summary_text(catalog, summary, packs).split("\n"))


def digest_messages(
    catalog: Catalog, digest: CoordinatorDigest, packs: PackLibrary
) -> list[str]:
    """The coordinator's digest, already cut into messages of at most 4096 units."""
    summary = digest.summary
    page = _Page(catalog, summary.language, packs)
    _header(page, summary, "digest.title", for_coordinators=True)
    page.add("digest.for_you")
    _answered(page, digest)
    for number, entry in enumerate(digest.questions, start=1):
        page.blank()
        _question(page, number, entry.question)
        _comments(page, entry.comments)
        if entry.private_held_back:
            page.add_plural("digest.private_held_back", entry.private_held_back)
    _theme_scores(page, summary.themes)
    _trends(page, digest)
    _whos_not_here(page, digest.names_visible, digest.whos_not_here)
    return _messages(page.lines)


def _messages(lines: list[str], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """split_lines' greedy packing of whole lines into messages, in one pass
    (split_lines measures the whole message again at every line, which a
    digest of a hundred lines pays for a hundred times). A line longer than
    a message sends the whole text to split_lines."""
    text = "\n".join(lines)
    # UTF-16 units are never fewer than code points: only a short text may fit.
    if len(text) <= limit and len(_utf16(text)[0]) >> 1 <= limit:
        text = text.lstrip("\n")  # as split_lines: no message starts with a blank line
        return [text] if text.strip() else []
    sizes = [len(_utf16(line)[0]) >> 1 for line in lines]
    if max(sizes) > limit:  # rare (a comment longer than a message): the slow way
        return split_lines(text, limit)
    messages: list[str] = []
    current: list[str] = []
    size = 0  # UTF-16 units of "\n".join(current)
    for line, units in zip(lines, sizes, strict=True):
        if not current:
            if line:  # a message never starts with a blank line
                current, size = [line], units
        elif size + 1 + units <= limit:
            current.append(line)
            size += 1 + units
        else:
            messages.append("\n".join(current))
            current, size = ([line], units) if line.strip() else ([], 0)
    if current:
        messages.append("\n".join(current))
    return [message for message in messages if message.strip()]


class _Page:
    """Lines of one message in one language, and the formatting they share."""

    def __init__(self, catalog: Catalog, language: str, packs: PackLibrary):
        self.language = language
        self.packs = packs
        self.lines: list[str] = []
        self.templates = catalog.table(language)
        self._dates: dict[tuple[str, date], str] = {}
        self._decimal_mark = self.templates["summary.decimal_mark"]
        self._themes: dict[str, str] = {}
        self._people: dict[str, str] = {}
        self._authors: dict[str, str] = {}

    def fill(self, key: str, **safe: object) -> str:
        """A template filled with values that are safe HTML already."""
        return self.templates[key].format(**safe)

    def add(self, key: str, **safe: object) -> None:
        self.lines.append(self.templates[key].format(**safe))

    def add_plural(self, key: str, count: int, **safe: object) -> None:
        self.add(f"{key}.{plural_form(count)}", count=count, **safe)

    def blank(self) -> None:
        self.lines.append("")

    def number(self, value: float) -> str:
        return f"{value:.1f}".replace(".", self._decimal_mark)

    def date(self, day: date, key: str = "summary.date") -> str:
        dates = self._dates
        found = dates.get((key, day))
        if found is None:
            month = self.templates[f"month.{day.month}"]
            found = dates[(key, day)] = self.fill(key, day=day.day, month=month, year=day.year)
        return found

    def person(self, name: str) -> str:
        """A member's name, safe; each name once a page (it recurs under
        every question they commented on)."""
        safe = self._people.get(name)
        if safe is None:
            safe = self._people[name] = user(name)
        return safe

    def by_name(self, name: str) -> str:
        """"<b>Ana</b>: " before a comment, once a page for each author."""
        found = self._authors.get(name)
        if found is None:
            found = self._authors[name] = self.fill("digest.by_name", name=self.person(name))
        return found

    def theme(self, theme: str) -> str:
        """A theme's name, escaped (content is ours, but may hold an "&")."""
        name = self._themes.get(theme)
        if name is None:
            plain = theme_name(self.packs, theme, self.language)
            name = self._themes[theme] = escape(plain)
        return name


def _header(page: _Page, summary: WeeklySummary, title_key: str, *,
            for_coordinators: bool = False) -> None:
    page.add(title_key, title=user(summary.title or "…"))
    page.add("summary.week", date=page.date(summary.week))
    taking_part = summary.participation
    # The group hears how many took part, never how many did not: in a small
    # group "5 of 6" names the sixth. The totals are for the coordinators.
    if not taking_part.answered:
        page.add("summary.nobody")
    elif for_coordinators:
        page.add_plural("summary.participation", taking_part.answered,
                        members=taking_part.members)
    else:
        page.add_plural("summary.took_part", taking_part.answered)
    if for_coordinators and taking_part.chat_members is not None:
        page.add_plural("summary.chat_members", taking_part.chat_members)
    if not summary.questions:
        page.blank()
        page.add("summary.no_questions")


def _question(page: _Page, number: int, question: QuestionSummary) -> None:
    pack = page.packs.get(question.pack_id)
    item = pack.item(question.item_id) if pack else None
    if item is None:
        page.add("summary.question", number=number,
                 heading=page.fill("summary.unknown_question"))
    else:
        # Numbered as the question's own heading numbers it (the source's "XIII").
        heading = page.theme(question.theme) if question.theme else escape(
            pack.title_in(page.language))
        page.add("summary.question", number=escape(item.number),
                 heading=heading)
        text = " ".join(item.text_in(page.language).split())
        page.add("summary.question_text", text=escape(text))
    page.add_plural("summary.respondents", question.respondents)
    if question.distribution is not None:
        counts = question.distribution[::-1]  # best first
        # "Rated 4: 2 people ▇▇": the words carry it, the blocks come after.
        for value, bar, count in zip(range(5, 0, -1), _bars(counts), counts, strict=True):
            page.add_plural("summary.spread", count, value=value, bar=bar)
        page.add("summary.average", mean=page.number(question.mean or 0))
        labels = pack.scale_in(page.language) if pack else None
        if labels:
            page.add("summary.scale_legend", low=escape(labels[0]),
                     high=escape(labels[-1]))
    elif question.distribution_hidden:
        page.add_plural("summary.hidden", question.ratings, min=MIN_RESPONDENTS)


def _bars(counts: Sequence[int]) -> list[str]:
    peak = max(counts, default=0)
    per_block = 1.0 if peak <= BAR_WIDTH else peak / BAR_WIDTH
    bars = []
    for count in counts:
        blocks = max(1, round(count / per_block)) if count else 0
        bars.append(BAR_BLOCK * blocks or EMPTY_BAR)
    return bars


def _quotes(page: _Page, quotes: Sequence[str]) -> None:
    first, continued = page.templates["summary.quote"], page.templates["summary.quote_continued"]
    for quote in quotes[:QUOTES_PER_QUESTION]:
        if len(quote) > QUOTE_CHARS:
            quote = quote[: QUOTE_CHARS - 1].rstrip() + "…"
        _comment_lines(page.lines, quote, first, continued, "")
    hidden = len(quotes) - QUOTES_PER_QUESTION
    if hidden > 0:
        page.add_plural("summary.more_quotes", hidden)


def _comment_lines(
    lines: list[str], text: str, first: str, continued: str, who: str
) -> None:
    """Each non-blank line of a comment as a line of ours (`first`, then
    `continued` templates), so that a line break typed by a member never
    falls inside one of our tags."""
    template = first
    for line in text.splitlines():
        line = line.strip()
        if line:
            lines.append(template.format(who=who, text=user(line)))
            template = continued


def _comments(page: _Page, comments: Sequence[SeenComment]) -> None:
    if not comments:
        return
    page.add("digest.comments_title", count=len(comments))
    templates = page.templates
    first, continued = templates["digest.comment"], templates["digest.comment_continued"]
    voice = templates["digest.voice"]
    privately = templates["digest.given_privately"]
    for comment in comments:
        if comment.author is not None:
            who = page.by_name(comment.author)
        else:
            who = privately if comment.private else ""
        if comment.text:
            _comment_lines(page.lines, comment.text, first, continued, who)
        if comment.has_voice:
            page.lines.append(voice.format(who=who))


def _theme_scores(page: _Page, themes: Sequence[ThemeScore]) -> None:
    if not themes:
        return
    page.blank()
    page.add("summary.theme_scores")
    for row in themes:
        name = page.theme(row.theme)
        if row.score is not None:
            page.add("summary.theme_score", theme=name, score=page.number(row.score),
                     change=_change(page, row.change))
        elif row.hidden:
            page.add("summary.theme_hidden", theme=name, min=MIN_RESPONDENTS)
        else:
            page.add("summary.theme_none", theme=name)


def _change(page: _Page, change: float | None) -> str:
    if change is None:
        return ""
    size = page.number(abs(change))
    if size == page.number(0):
        return page.fill("summary.change_same")
    return page.fill("summary.change_up" if change > 0 else "summary.change_down", change=size)


def _answered(page: _Page, digest: CoordinatorDigest) -> None:
    """Names under the header's count; nothing to add when nobody answered."""
    if not digest.summary.participation.answered:
        return
    page.blank()
    page.add("digest.answered_title")
    if not digest.names_visible:
        page.add("digest.counts_only")
    else:
        names = ", ".join([page.person(name) for name in digest.answered_names])
        page.add("digest.answered_names", names=names)


def _trends(page: _Page, digest: CoordinatorDigest) -> None:
    page.blank()
    page.add("digest.trends_title", count=len(digest.weeks))
    page.add("digest.trend_participation")
    for week, bar, count in zip(
        digest.weeks, _bars(digest.participation), digest.participation, strict=True
    ):
        page.add_plural("digest.trend_week", count, date=page.date(week, "summary.short_date"),
                        bar=bar)
    if not digest.theme_trends:
        return
    page.add("digest.trend_themes", min=MIN_RESPONDENTS)
    for trend in digest.theme_trends:
        name = page.theme(trend.theme)
        points = [
            page.fill("digest.trend_point", score=page.number(score),
                      date=page.date(week, "summary.short_date"))
            for week, score in zip(digest.weeks, trend.scores, strict=True)
            if score is not None
        ]
        if points:
            page.add("digest.trend_theme", theme=name, scores=" → ".join(points))
        else:
            page.add("digest.trend_none", theme=name)


def _whos_not_here(page: _Page, names_visible: bool, absent: WhosNotHere) -> None:
    page.blank()
    page.add("digest.absent_title")
    page.add("digest.absent_intro")
    if not absent.total:
        page.add("digest.absent_nobody")
        return
    if not names_visible:
        # Counts only: no names, so no personal invitations either.
        if absent.silent:
            page.add_plural("digest.silent_count", absent.silent, days=NOT_HEARD_DAYS)
        if absent.never:
            page.add_plural("digest.never_count", absent.never, days=NEW_MEMBER_DAYS)
        if absent.quiet:
            page.add_plural("digest.quiet_count", absent.quiet)
        page.add("digest.invite_general")
        return
    silent = [member for member in absent.members if member.absence is Absence.SILENT]
    never = [member for member in absent.members if member.absence is Absence.NEVER]
    if silent:
        page.add("digest.silent_title", days=NOT_HEARD_DAYS)
        for member in silent:
            _absent_member(page, member, "digest.silent_member", "digest.invite_silent")
    if never:
        page.add("digest.never_title", days=NEW_MEMBER_DAYS)
        for member in never:
            _absent_member(page, member, "digest.never_member", "digest.invite_never")


def _absent_member(page: _Page, member: AbsentMember, line_key: str, invite_key: str) -> None:
    page.add(line_key, name=page.person(member.name), days=member.days)
    if member.quiet:
        # They asked for no reminders: say so, and suggest nothing to send them.
        page.lines[-1] += page.fill("digest.quiet_mark")
    else:
        page.add(invite_key, first_name=user(member.first_name))
