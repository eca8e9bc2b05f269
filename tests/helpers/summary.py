"""A simulated month of a group of twelve, for the summary, digest and chart suites.

The month (time zone UTC; Mondays 3, 10, 17, 24 February and 3 March 2025):
the group follows the CSO checklist twice a week from Friday 7 February; the
week summarised is the one of Monday 3 March, on Sunday 9 March at 18:00.
Lola always answers privately; Emeka fell silent after 18 February; Fatima
answered once and chose /quiet; Gustavo answered for the first time this
week; Hana and Jamila (quiet) never answered; Ivan joined four days ago.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from bot.domain.summary_facts import (
    CommentFacts,
    GroupFacts,
    MemberFacts,
    QuestionFacts,
    ThemeWeek,
    WeekParticipation,
)

DVO, EWS, CPF = "defining-valued-outcomes", "engaging-whole-systems", "co-producing-the-future"
THEMES = (DVO, EWS, CPF, "strengthening-resilience", "working-inclusively")
THIS_WEEK = date(2025, 3, 3)
NOW = datetime(2025, 3, 9, 18, 0, tzinfo=UTC)
JOINED = datetime(2025, 1, 27, 9, 0, tzinfo=UTC)

ANA, BONGANI, CHEN, LOLA, EMEKA, FATIMA = 101, 102, 103, 104, 105, 106
GUSTAVO, HANA, IVAN, JAMILA, KOFI, LUCIA = 107, 108, 109, 110, 111, 112
NAMES = {
    ANA: "Ana García", BONGANI: "Bongani Dlamini", CHEN: "Chen Wei", LOLA: "Lola Pérez",
    EMEKA: "Emeka Obi", FATIMA: "فاطمة الزهراء", GUSTAVO: "Gustavo Silva", HANA: "Hana Kim",
    IVAN: "Ivan Petrov", JAMILA: "Jamila Yusuf", KOFI: "Kofi Mensah", LUCIA: "Lucía Fernández",
}
QUIET = {FATIMA, JAMILA}
JOINED_AT = {IVAN: datetime(2025, 3, 5, 12, 0, tzinfo=UTC)}

CO_DESIGNED = "We co-designed the survey with residents 👏"
COUNCIL_FIRST = "I worry the council decides first"
NOT_SURE = "Not sure <b>we</b> asked\nthe right people"
HTML_IDEAS = "<b>Bold</b> & <script>alert(1)</script> ideas"
RTL_YOUTH = "צריך לשתף את הצעירים 🙌"
YOUTH_COUNCIL = "Let us invite the youth council"


@dataclass(frozen=True)
class Answer:
    user: int
    rating: int | None = None
    text: str | None = None
    voice: bool = False
    private: bool = False
    quotable: bool = False


def p(user: int, rating: int | None = None, **rest) -> Answer:
    """Lola's way of answering: always in the private chat."""
    return Answer(user, rating, private=True, **rest)


def opened(month: int, day: int) -> datetime:
    return datetime(2025, month, day, 9, 0, tzinfo=UTC)


# (item, theme, opened at, answers); everyone answers two hours after it opens.
MONTH = [
    ("cso-01", DVO, opened(2, 7), [Answer(ANA, 2), Answer(BONGANI, 2), Answer(CHEN, 3),
                                   p(LOLA, 2), Answer(EMEKA, 2)]),
    ("cso-02", DVO, opened(2, 11), [Answer(ANA, 2), Answer(BONGANI, 3), p(LOLA, 2),
                                    Answer(EMEKA, 2), Answer(FATIMA, 1)]),
    ("cso-03", DVO, opened(2, 14), [Answer(ANA, 3), Answer(BONGANI, 2), Answer(CHEN, 3),
                                    p(LOLA, 3), Answer(KOFI, 2)]),
    ("cso-04", EWS, opened(2, 18), [Answer(ANA, 3), Answer(BONGANI, 2), p(LOLA, 2),
                                    Answer(EMEKA, 1)]),
    ("cso-05", EWS, opened(2, 21), [Answer(ANA, 3), Answer(BONGANI, 3), Answer(CHEN, 4),
                                    p(LOLA, 3), Answer(LUCIA, 2)]),
    ("cso-06", EWS, opened(2, 25), [Answer(ANA, 3), Answer(BONGANI, 2), p(LOLA, 3)]),
    ("cso-07", CPF, opened(2, 28), [Answer(ANA, 3), Answer(BONGANI, 3), Answer(CHEN, 2),
                                    p(LOLA, 4),
                                    Answer(KOFI, 3, "Good meeting", quotable=True)]),
    # This week.
    ("cso-08", CPF, opened(3, 4), [
        Answer(ANA, 4, CO_DESIGNED, quotable=True),
        Answer(BONGANI, 3),
        p(LOLA, 5, text=COUNCIL_FIRST, quotable=True),  # consent, but private: never quoted
        Answer(KOFI, voice=True, quotable=True),  # a voice note: never quoted in text
        Answer(LUCIA, 2, NOT_SURE),  # not quotable
    ]),
    ("cso-09", CPF, opened(3, 7), [
        Answer(ANA, 4),
        Answer(GUSTAVO, 5, "   ", quotable=True),  # blank: nothing to quote or show
        Answer(BONGANI, text=HTML_IDEAS, quotable=True),
        Answer(CHEN, text=RTL_YOUTH, quotable=True),
        p(LOLA, text=YOUTH_COUNCIL, quotable=True),
    ]),
]


def with_private_answers(facts: GroupFacts, count: int) -> GroupFacts:
    """The month, as if `count` people had answered each of this week's
    questions privately (Lola's comments stand for theirs)."""
    return replace(facts, questions=tuple(
        replace(question, private_answers=count) for question in facts.questions))


def monday(moment: datetime) -> date:
    return moment.date() - timedelta(days=moment.weekday())


def month_facts(*, names_visible: bool = True, chat_member_count: int | None = 15,
                language: str = "en") -> GroupFacts:
    """What the store would read for THIS_WEEK (grouped the way it groups)."""
    last_answer: dict[int, datetime] = {}
    answer_count: dict[int, int] = defaultdict(int)
    people: dict[date, set[int]] = defaultdict(set)
    tallies: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0])
    questions = []
    for number, (item, theme, opened_at, answers) in enumerate(MONTH, start=1):
        week = monday(opened_at)
        answered_at = opened_at + timedelta(hours=2)
        distribution = [0] * 5
        for answer in answers:
            last_answer[answer.user] = answered_at
            answer_count[answer.user] += 1
            people[week].add(answer.user)
            if answer.rating is not None:
                distribution[answer.rating - 1] += 1
                tallies[(week, theme)][0] += 1
                tallies[(week, theme)][1] += answer.rating
        if week == THIS_WEEK:
            questions.append(QuestionFacts(
                prompt_id=number, pack_id="checklist-cso", item_id=item, theme=theme,
                opened_at=opened_at, distribution=tuple(distribution),
                respondents=tuple(a.user for a in answers),
                private_answers=sum(1 for a in answers if a.private),
                comments=tuple(
                    CommentFacts(user_id=a.user, text=a.text, has_voice=a.voice,
                                 private=a.private, quotable=a.quotable)
                    for a in answers if a.text is not None or a.voice
                ),
            ))
    members = tuple(
        MemberFacts(user_id=user, name=name, joined_at=JOINED_AT.get(user, JOINED),
                    last_answered_at=last_answer.get(user), answers=answer_count[user],
                    quiet=user in QUIET)
        for user, name in NAMES.items()
    )
    return GroupFacts(
        chat_id=-100123, title="Barrio <Norte> & Co", language=language,
        names_visible=names_visible, week=THIS_WEEK, members=members,
        questions=tuple(questions),
        themes=tuple(ThemeWeek(week=week, theme=theme, ratings=count, total=total)
                     for (week, theme), (count, total) in sorted(tallies.items())),
        # Only weeks with answers: the summary fills the others with 0.
        participation=tuple(WeekParticipation(week=week, participants=len(users))
                            for week, users in sorted(people.items())),
        chat_member_count=chat_member_count,
        theme_order=THEMES,
    )


