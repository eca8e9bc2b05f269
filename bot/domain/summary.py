"""What the weekly group summary and the coordinator digest say, computed
from GroupFacts. Pure: no Telegram, no SQL, no text (rendering is in
bot/render/summary.py).

The privacy rules live here rather than in rendering, so that no renderer
can show what they hide:

- a rating spread or a score built from fewer than MIN_RESPONDENTS ratings is
  hidden: with one or two ratings everyone can guess who gave which;
- the group summary quotes only comments written in the group, as text, by
  authors who allowed quoting; never a name;
- names reach the digest only when the group chose to show them, and never
  next to an answer given privately;
- a private comment reaches the digest only among enough private answers to
  the same question that it cannot point to its writer (domain.privacy).

Every function is one pass over the facts (a week of answers, eight weeks of
aggregates), so a digest for a group costs microseconds, not milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.domain.privacy import private_answers_shown
from bot.domain.summary_facts import GroupFacts, MemberFacts, QuestionFacts

MIN_RESPONDENTS = 3  # fewer ratings than this: the spread or score is not shown
TREND_WEEKS = 8
# The chart sets the last this-many weeks against the same span before them:
# with one question a week, a single week scores one theme at most.
CHART_COMPARE_WEEKS = 4
NOT_HEARD_DAYS = 14  # "who's not here": silent for this long or longer
NEW_MEMBER_DAYS = 7  # members who joined more recently are not yet counted as never heard

Distribution = tuple[int, int, int, int, int]


# -- the weekly summary (what the whole group sees) ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Participation:
    answered: int  # distinct known members who answered any of this week's questions
    members: int  # members the bot knows
    chat_members: int | None  # Telegram's count of people in the chat; None if unknown


@dataclass(frozen=True, slots=True)
class QuestionSummary:
    prompt_id: int
    pack_id: str
    item_id: str
    theme: str | None
    respondents: int  # distinct people with any answer (rating, comment or voice)
    ratings: int  # how many rated it
    distribution: Distribution | None  # how many rated 1..5; None if no or too few ratings
    mean: float | None  # None whenever the distribution is
    quotes: tuple[str, ...]  # comment texts the group may see, without names

    @property
    def distribution_hidden(self) -> bool:
        """Rated, but by too few people to show how."""
        return 0 < self.ratings < MIN_RESPONDENTS


@dataclass(frozen=True, slots=True)
class ThemeScore:
    theme: str
    ratings: int  # ratings of the theme's questions this week
    score: float | None  # mean rating; None if no or too few ratings
    change: float | None  # score minus last week's; None unless both weeks are shown

    @property
    def hidden(self) -> bool:
        return 0 < self.ratings < MIN_RESPONDENTS


@dataclass(frozen=True, slots=True)
class WeeklySummary:
    chat_id: int
    title: str
    language: str
    week: date  # its Monday
    participation: Participation
    questions: tuple[QuestionSummary, ...]
    themes: tuple[ThemeScore, ...]  # the scorecard; empty when no theme was ever rated


def summarise(facts: GroupFacts) -> WeeklySummary:
    return _summarise(facts, _answered(facts), _ThemeIndex(facts))


def _summarise(facts: GroupFacts, answered: set[int], themes: _ThemeIndex) -> WeeklySummary:
    known = {member.user_id for member in facts.members}
    last_week = facts.week - timedelta(weeks=1)
    scores = []
    for theme in themes.order:
        score = themes.score(facts.week, theme)
        before = themes.score(last_week, theme)
        scores.append(ThemeScore(
            theme=theme,
            ratings=themes.ratings(facts.week, theme),
            score=score,
            change=None if score is None or before is None else score - before,
        ))
    return WeeklySummary(
        chat_id=facts.chat_id,
        title=facts.title,
        language=facts.language,
        week=facts.week,
        # Only members still known: "7 of 12" must never read "13 of 12"
        # because someone answered and then left.
        participation=Participation(
            answered=len(answered & known),
            members=len(facts.members),
            chat_members=facts.chat_member_count,
        ),
        questions=tuple(_question_summary(question) for question in facts.questions),
        themes=tuple(scores),
    )


def _answered(facts: GroupFacts) -> set[int]:
    """Everyone with an answer to one of this week's questions."""
    answered: set[int] = set()
    for question in facts.questions:
        answered.update(question.respondents)
    return answered


def _question_summary(question: QuestionFacts) -> QuestionSummary:
    ratings = sum(question.distribution)  # one answer per person per question
    shown = ratings >= MIN_RESPONDENTS
    total = sum(value * count for value, count in enumerate(question.distribution, start=1))
    return QuestionSummary(
        prompt_id=question.prompt_id,
        pack_id=question.pack_id,
        item_id=question.item_id,
        theme=question.theme,
        respondents=len(set(question.respondents)),
        ratings=ratings,
        distribution=question.distribution if shown else None,
        mean=total / ratings if shown else None,
        quotes=tuple(
            comment.text.strip()
            for comment in question.comments
            if comment.quotable and not comment.private and comment.text and comment.text.strip()
        ),
    )


class _ThemeIndex:
    """The facts' theme weeks by (week, theme), their shown scores, and the
    order to show themes in."""

    def __init__(self, facts: GroupFacts):
        self._ratings = {(row.week, row.theme): row.ratings for row in facts.themes}
        self._totals = {(row.week, row.theme): row.total for row in facts.themes}
        self._scores = {
            (row.week, row.theme): row.total / row.ratings
            for row in facts.themes
            if row.ratings >= MIN_RESPONDENTS
        }
        if not any(self._ratings.values()):
            # A programme answered in words (Theory U, well-being) has themes
            # but nothing to score: no scorecard at all beats five empty rows.
            self.order: tuple[str, ...] = ()
            return
        order = dict.fromkeys(facts.theme_order)
        order.update(dict.fromkeys(row.theme for row in facts.themes))
        self.order = tuple(order)

    def span_score(self, weeks: tuple[date, ...], theme: str) -> float | None:
        """The mean rating over several weeks, or None with fewer than enough ratings."""
        ratings = sum(self._ratings.get((week, theme), 0) for week in weeks)
        total = sum(self._totals.get((week, theme), 0) for week in weeks)
        return total / ratings if ratings >= MIN_RESPONDENTS else None

    def ratings(self, week: date, theme: str) -> int:
        return self._ratings.get((week, theme), 0)

    def score(self, week: date, theme: str) -> float | None:
        """The mean rating, or None if there were none or too few to show."""
        return self._scores.get((week, theme))

    def scores(self, weeks: tuple[date, ...], theme: str) -> tuple[float | None, ...]:
        found = self._scores.get
        return tuple([found((week, theme)) for week in weeks])


# -- the coordinator digest --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeenComment:
    """A comment as a coordinator may see it."""

    text: str | None  # None: a voice note without text
    has_voice: bool
    private: bool  # given in the private chat: shown as such, never with a name
    author: str | None  # None when the group chose counts only, or the answer was private


@dataclass(frozen=True, slots=True)
class DigestQuestion:
    question: QuestionSummary
    comments: tuple[SeenComment, ...]
    # Private comments not shown: too few private answers to hide among.
    private_held_back: int = 0


@dataclass(frozen=True, slots=True)
class ThemeTrend:
    theme: str
    scores: tuple[float | None, ...]  # one per week of CoordinatorDigest.weeks; None: hidden


class Absence(StrEnum):
    SILENT = "silent"  # answered before, but not for NOT_HEARD_DAYS or more
    NEVER = "never"  # joined NEW_MEMBER_DAYS or more ago and never answered


@dataclass(frozen=True, slots=True)
class AbsentMember:
    user_id: int
    name: str
    absence: Absence
    days: int  # since the last answer (SILENT) or since joining (NEVER)
    quiet: bool  # asked for no reminders: listed, but not to be chased

    @property
    def first_name(self) -> str:
        """For a personal invitation: "Ana" of "Ana García"."""
        words = self.name.split()
        return words[0] if words else self.name


@dataclass(frozen=True, slots=True)
class WhosNotHere:
    silent: int
    never: int
    quiet: int  # how many of the above asked for no reminders
    members: tuple[AbsentMember, ...]  # empty when the group chose counts only

    @property
    def total(self) -> int:
        return self.silent + self.never


@dataclass(frozen=True, slots=True)
class CoordinatorDigest:
    summary: WeeklySummary
    names_visible: bool
    answered_names: tuple[str, ...]  # who answered this week; empty in counts-only groups
    questions: tuple[DigestQuestion, ...]  # the summary's questions, with every comment
    weeks: tuple[date, ...]  # the last TREND_WEEKS Mondays, oldest first
    participation: tuple[int, ...]  # people who answered, one per week of `weeks`
    theme_trends: tuple[ThemeTrend, ...]
    whos_not_here: WhosNotHere


def digest(facts: GroupFacts, now: datetime) -> CoordinatorDigest:
    if not facts.members_heard:
        raise ValueError("a digest needs the members' last answers (members_heard)")
    answered = _answered(facts)
    themes = _ThemeIndex(facts)
    summary = _summarise(facts, answered, themes)
    names = {member.user_id: member.name for member in facts.members}
    weeks = _recent_weeks(facts.week)
    return CoordinatorDigest(
        summary=summary,
        names_visible=facts.names_visible,
        answered_names=tuple(
            member.name for member in facts.members if member.user_id in answered
        ) if facts.names_visible else (),
        questions=tuple(
            DigestQuestion(
                question=question_summary,
                comments=_seen_comments(question, names, facts.names_visible),
                private_held_back=_private_held_back(question),
            )
            for question, question_summary in zip(
                facts.questions, summary.questions, strict=True
            )
        ),
        weeks=weeks,
        participation=_participation(facts, weeks),
        theme_trends=tuple(
            ThemeTrend(theme=theme, scores=themes.scores(weeks, theme))
            for theme in themes.order
        ),
        whos_not_here=whos_not_here(facts.members, now, facts.names_visible),
    )


def _seen_comments(
    question: QuestionFacts, names: dict[int, str], names_visible: bool
) -> tuple[SeenComment, ...]:
    seen = []
    private_shown = private_answers_shown(question.private_answers)
    for comment in question.comments:
        text = comment.text.strip() if comment.text else None
        if not text and not comment.has_voice:
            continue
        if comment.private and not private_shown:
            continue
        named = names_visible and not comment.private
        seen.append(SeenComment(
            text=text or None,
            has_voice=comment.has_voice,
            private=comment.private,
            author=names.get(comment.user_id) if named else None,
        ))
    return tuple(seen)


def _private_held_back(question: QuestionFacts) -> int:
    if private_answers_shown(question.private_answers):
        return 0
    return sum(1 for comment in question.comments if comment.private and (
        comment.has_voice or (comment.text and comment.text.strip())))


def whos_not_here(
    members: tuple[MemberFacts, ...], now: datetime, names_visible: bool
) -> WhosNotHere:
    """Members not heard from in NOT_HEARD_DAYS or more, then members who
    joined at least NEW_MEMBER_DAYS ago and never answered; in the members'
    own order within each group (the store sorts them by name)."""
    silent_since = now - _NOT_HEARD
    joined_before = now - _NEW_MEMBER
    silent: list[AbsentMember] = []
    never: list[AbsentMember] = []
    for member in members:
        if member.last_answered_at is not None:
            if member.last_answered_at <= silent_since:
                silent.append(_absent(member, Absence.SILENT, member.last_answered_at, now))
        elif member.joined_at <= joined_before:
            never.append(_absent(member, Absence.NEVER, member.joined_at, now))
    return WhosNotHere(
        silent=len(silent),
        never=len(never),
        quiet=sum(1 for member in silent + never if member.quiet),
        members=tuple(silent + never) if names_visible else (),
    )


_NOT_HEARD = timedelta(days=NOT_HEARD_DAYS)
_NEW_MEMBER = timedelta(days=NEW_MEMBER_DAYS)


def _absent(member: MemberFacts, absence: Absence, since: datetime, now: datetime) -> AbsentMember:
    return AbsentMember(
        user_id=member.user_id, name=member.name, absence=absence,
        days=(now - since).days, quiet=member.quiet,
    )


def _participation(facts: GroupFacts, weeks: tuple[date, ...]) -> tuple[int, ...]:
    by_week = {row.week: row.participants for row in facts.participation}
    return tuple([by_week.get(week, 0) for week in weeks])


_TREND_STEPS = tuple(timedelta(weeks=back) for back in range(TREND_WEEKS - 1, -1, -1))


def _recent_weeks(monday: date) -> tuple[date, ...]:
    """The last TREND_WEEKS Mondays, oldest first."""
    return tuple([monday - step for step in _TREND_STEPS])


# -- the chart behind the digest ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ThemeComparison:
    theme: str
    now: float | None  # score over the last CHART_COMPARE_WEEKS weeks; None: too few ratings
    before: float | None  # score over the CHART_COMPARE_WEEKS weeks before those


@dataclass(frozen=True, slots=True)
class ChartData:
    week: date  # this week's Monday
    compare_week: date  # the last Monday of the earlier span (CHART_COMPARE_WEEKS before)
    themes: tuple[ThemeComparison, ...]
    # The last TREND_WEEKS Mondays, oldest first, from the week of the group's first
    # question on: weeks before it had a programme are not shown as weeks of nobody.
    weeks: tuple[date, ...]
    participation: tuple[int, ...]  # people who answered, one per week (0 for none)


def chart_data(facts: GroupFacts) -> ChartData:
    themes = _ThemeIndex(facts)
    earlier = facts.week - timedelta(weeks=CHART_COMPARE_WEEKS)
    all_weeks = _recent_weeks(facts.week)
    now_span = all_weeks[-CHART_COMPARE_WEEKS:]
    before_span = all_weeks[-2 * CHART_COMPARE_WEEKS:-CHART_COMPARE_WEEKS]
    started = min(facts.first_week or all_weeks[0], facts.week)
    weeks = tuple([week for week in all_weeks if week >= started])
    return ChartData(
        week=facts.week,
        compare_week=earlier,
        themes=tuple(
            ThemeComparison(
                theme=theme,
                now=themes.span_score(now_span, theme),
                before=themes.span_score(before_span, theme),
            )
            for theme in themes.order
        ),
        weeks=weeks,
        participation=_participation(facts, weeks),
    )
