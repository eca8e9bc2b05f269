"""The weekly summary and the coordinator digest as Telegram HTML
(bot/render/summary.py), on the simulated month of tests/test_summary.py.
The digest's chart has its own tests (tests/test_chart.py)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.domain.summary import digest, summarise
from bot.domain.summary_facts import CommentFacts, MemberFacts, QuestionFacts
from bot.render.split import TELEGRAM_LIMIT, split_lines
from bot.render.summary import (
    _messages,
    digest_messages,
    group_summary_messages,
    group_summary_text,
)
from bot.sandbox.telegram import utf16_len, visible_text

from helpers.render_checks import isolated, valid
from helpers.summary import (
    CO_DESIGNED,
    COUNCIL_FIRST,
    HTML_IDEAS,
    JOINED,
    NAMES,
    NOT_SURE,
    NOW,
    RTL_YOUTH,
    YOUTH_COUNCIL,
    month_facts,
    with_private_answers,
)


def render_digest(catalog, packs, private_answers: int | None = None, **facts) -> list[str]:
    month = month_facts(**facts)
    if private_answers is not None:
        month = with_private_answers(month, private_answers)
    return [valid(part) for part in digest_messages(catalog, digest(month, NOW), packs)]


# -- the group summary ---------------------------------------------------------------------------


def test_group_summary_in_english(catalog, packs):
    text = valid(group_summary_text(catalog, summarise(month_facts()), packs))
    lines = text.split("\n")
    # How many took part, never of how many: "7 of 12" would count the silent.
    assert lines[:4] == [
        f"📊 This week in {isolated('Barrio <Norte> & Co')}",
        "Week of 3 March 2025",
        "🗣 7 people took part this week.",
        "",
    ]
    assert "12" not in text and "15" not in text
    first = lines.index("VIII. Co-producing the future")
    assert lines[first + 2:first + 11] == [
        "👥 5 people answered.",
        "Rated 5: 1 person ▇", "Rated 4: 1 person ▇", "Rated 3: 1 person ▇",
        "Rated 2: 1 person ▇", "Rated 1: 0 people ·",
        "Average: 3.5 of 5",
        "1 = Not yet · 5 = Very well",
        f"💬 {isolated(CO_DESIGNED)}",
    ]
    second = lines.index("IX. Co-producing the future")
    assert lines[second + 2:second + 6] == [
        "👥 5 people answered.",
        "2 ratings: I show ratings only once there are 3, so nobody's can be guessed.",
        f"💬 {isolated(HTML_IDEAS)}",
        f"💬 {isolated(RTL_YOUTH)}",
    ]
    assert "• Co-producing the future: 3.8 (up 0.8 since last week)" in lines
    assert "• Engaging whole systems: no ratings this week" in lines
    assert "Scores by theme (average rating, 1 to 5)" in lines
    assert "Balanced scorecard" not in text


def test_group_summary_never_shows_names_private_answers_or_unconsented_comments(
    catalog, packs
):
    text = visible_text(group_summary_text(catalog, summarise(month_facts()), packs))
    for name in NAMES.values():
        assert name not in text
    for hidden in (COUNCIL_FIRST, YOUTH_COUNCIL, "the right people", "Good meeting"):
        assert hidden not in text


def test_user_html_is_escaped_not_interpreted(catalog, packs):
    html = group_summary_text(catalog, summarise(month_facts()), packs)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html
    assert "Barrio &lt;Norte&gt; &amp; Co" in html
    assert HTML_IDEAS in visible_text(html)


def test_group_summary_in_spanish(catalog, packs):
    text = valid(group_summary_text(catalog, summarise(month_facts(language="es")), packs))
    assert "Semana del 3 de marzo de 2025" in text
    assert "🗣 Esta semana han participado 7 personas." in text
    assert "12" not in text and "15" not in text
    assert "Promedio: 3,5 de 5" in text
    assert "• Coproducir el futuro: 3,8 (sube 0,8 respecto a la semana pasada)" in text
    assert "VIII. Coproducir el futuro" in text
    assert "Puntuación por tema (valoración media, de 1 a 5)" in text


def test_a_week_without_questions(catalog, packs):
    facts = replace(month_facts(chat_member_count=None), questions=(), themes=())
    text = valid(group_summary_text(catalog, summarise(facts), packs))
    assert "No answers yet this week: every voice is welcome, whenever you are ready." in text
    assert "No questions were asked this week." in text
    assert "The chat has" not in text
    assert "Scores by theme" not in text


def test_a_question_no_longer_in_the_programme_still_renders(catalog, packs):
    facts = month_facts()
    gone = replace(facts.questions[0], pack_id="retired-pack")
    text = valid(group_summary_text(catalog, summarise(replace(facts, questions=(gone,))), packs))
    assert "1. A question that is no longer in the programme" in text
    assert "Rated 5: 1 person ▇" in text


def test_group_summary_quotes_at_most_five_and_shortens_long_ones(catalog, packs):
    facts = month_facts()
    many = tuple(CommentFacts(user_id=user, text=f"idea {user} " + "word " * 100,
                              has_voice=False, private=False, quotable=True)
                 for user in range(1, 9))
    question = replace(facts.questions[0], comments=many)
    summary = summarise(replace(facts, questions=(question,)))
    assert len(summary.questions[0].quotes) == 8  # the domain keeps them all
    text = valid(group_summary_text(catalog, summary, packs))
    quoted = [line for line in text.split("\n") if line.startswith("💬")]
    assert [line.split()[2] for line in quoted] == ["1", "2", "3", "4", "5"]
    assert all(len(line) < 310 and line.endswith("…\u2069") for line in quoted)
    assert "…and 3 more comments." in text


def test_multi_line_and_right_to_left_comments_stay_on_their_own_lines(catalog, packs):
    facts = month_facts()
    comment = CommentFacts(user_id=101, text="مرحبا <i>\n\n\u202eevil\u2069 end 😀",
                           has_voice=False, private=False, quotable=True)
    question = replace(facts.questions[0], comments=(comment,))
    html = group_summary_text(catalog, summarise(replace(facts, questions=(question,))), packs)
    text = valid(html)
    # Each line of the comment in its own isolate; direction overrides and stray
    # isolate ends removed, so nothing leaks past the comment.
    assert f"💬 {isolated('مرحبا <i>')}" in text.split("\n")
    assert f"      {isolated('evil end 😀')}" in text.split("\n")
    assert "\u202e" not in html


# -- the coordinator digest ---------------------------------------------------------------------


def test_digest_names_who_answered_and_attributes_group_comments(catalog, packs):
    (text,) = render_digest(catalog, packs)
    lines = text.split("\n")
    assert lines[0] == f"📋 Coordinator digest: {isolated('Barrio <Norte> & Co')}"
    names = lines[lines.index("Who answered") + 1]
    assert names == ", ".join(isolated(NAMES[user]) for user in (101, 102, 103, 104, 107,
                                                                  111, 112))
    assert f"💬 {isolated('Ana García')}: {isolated(CO_DESIGNED)}" in lines
    assert f"🎤 {isolated('Kofi Mensah')}: a voice note" in lines
    assert f"💬 {isolated('Lucía Fernández')}: {isolated('Not sure <b>we</b> asked')}" in lines
    assert f"      {isolated('the right people')}" in lines
    assert f"💬 {isolated('Chen Wei')}: {isolated(RTL_YOUTH)}" in lines
    assert NOT_SURE.split("\n")[0] in text


@pytest.mark.parametrize(("language", "lines"), [
    ("en", ["🗣 7 people took part this week, of 12 I know in the group.",
            "The chat has 15 people in all."]),
    ("es", ["🗣 Han participado 7 personas, de 12 que conozco en el grupo.",
            "En el chat hay 15 personas en total."])])
def test_the_totals_are_for_the_coordinators(catalog, packs, language, lines):
    (text,) = render_digest(catalog, packs, language=language)
    assert text.split("\n")[2:4] == lines


def test_digest_shows_private_comments_without_a_name(catalog, packs):
    (text,) = render_digest(catalog, packs, private_answers=3)
    lines = text.split("\n")
    assert f"💬 🔒 (given privately): {isolated(COUNCIL_FIRST)}" in lines
    assert f"💬 🔒 (given privately): {isolated(YOUTH_COUNCIL)}" in lines
    assert not any("Lola" in line for line in lines if COUNCIL_FIRST in line)
    assert "not shown" not in text


@pytest.mark.parametrize(("language", "held_back"), [
    ("en", "🔒 1 private comment not shown: fewer than three people answered this question "
           "privately, so it could point to its writer."),
    ("es", "🔒 1 comentario privado no se muestra: menos de tres personas han respondido a "
           "esta pregunta en privado, así que podría señalar a quien lo ha escrito.")])
def test_a_lone_private_comment_is_counted_not_shown(catalog, packs, language, held_back):
    """Lola alone answered privately, and the digest lists who answered."""
    text = "\n".join(render_digest(catalog, packs, language=language))
    assert COUNCIL_FIRST not in text and YOUTH_COUNCIL not in text
    assert text.split("\n").count(held_back) == 2  # under each of the week's two questions


def test_digest_trends(catalog, packs):
    (text,) = render_digest(catalog, packs)
    lines = text.split("\n")
    start = lines.index("People who answered, per week:")
    assert lines[start + 1:start + 9] == [
        "13 January: 0 people ·", "20 January: 0 people ·", "27 January: 0 people ·",
        "3 February: 5 people ▇▇▇▇▇", "10 February: 7 people ▇▇▇▇▇▇▇",
        "17 February: 6 people ▇▇▇▇▇▇", "24 February: 5 people ▇▇▇▇▇",
        "3 March: 7 people ▇▇▇▇▇▇▇",
    ]
    assert "• Defining valued outcomes: 2.2 (3 February) → 2.3 (10 February)" in lines
    assert "• Engaging whole systems: 2.6 (17 February) → 2.7 (24 February)" in lines
    assert "• Co-producing the future: 3.0 (24 February) → 3.8 (3 March)" in lines
    assert "• Working inclusively: no scores in these weeks" in lines


def test_digest_whos_not_here_with_personal_invitations(catalog, packs):
    (text,) = render_digest(catalog, packs)
    section = text.split("Who's not here?")[1].split("\n")
    assert section[2:] == [
        "Not heard from in 14 days or more:",
        f"• {isolated('Emeka Obi')}: last answer 19 days ago",
        f"      ✉️ You could write: “Hi {isolated('Emeka')}, we have missed your voice these "
        "last weeks. A question is open in the group now, and one tap is enough to answer.”",
        f"• {isolated('فاطمة الزهراء')}: last answer 26 days ago "
        "(asked for no reminders: please respect that)",
        "Joined at least 7 days ago but have not answered yet:",
        f"• {isolated('Hana Kim')}: joined 41 days ago",
        f"      ✉️ You could write: “Hi {isolated('Hana')}, welcome! Your view matters here: "
        "one tap on the open question is enough, and you can answer privately if you "
        "prefer.”",
        f"• {isolated('Jamila Yusuf')}: joined 41 days ago "
        "(asked for no reminders: please respect that)",
    ]
    assert "Ivan" not in text


def test_counts_only_digest_has_no_names_and_one_general_suggestion(catalog, packs):
    text = "\n".join(render_digest(catalog, packs, names_visible=False))
    for name in NAMES.values():
        assert name not in text
    assert "This group chose counts only, so I do not show names." in text
    assert f"💬 {isolated(CO_DESIGNED)}" in text
    assert COUNCIL_FIRST not in text  # Lola alone answered privately
    many = "\n".join(render_digest(catalog, packs, names_visible=False, private_answers=4))
    assert f"💬 🔒 (given privately): {isolated(COUNCIL_FIRST)}" in many
    section = text.split("Who's not here?")[1].split("\n")
    assert section[2:] == [
        "• 2 members have not been heard from in 14 days or more.",
        "• 2 members joined at least 7 days ago but have not answered yet.",
        "2 of them asked for no reminders: please respect that.",
        "✉️ You could post in the group: “Every voice counts here. If you have not answered "
        "for a while, the open question takes one tap, and you can answer privately.”",
    ]


def test_digest_in_spanish_counts_only(catalog, packs):
    text = "\n".join(render_digest(catalog, packs, names_visible=False, language="es",
                                   private_answers=3))
    assert "Informe de coordinación" in text
    assert "• 2 personas no participan desde hace 14 días o más." in text
    assert "💬 🔒 (en privado): " in text
    assert "vosotros" not in text


def test_everyone_heard_from(catalog, packs):
    facts = month_facts()
    heard = tuple(replace(m, last_answered_at=NOW - timedelta(days=1)) for m in facts.members)
    parts = digest_messages(catalog, digest(replace(facts, members=heard), NOW), packs)
    assert "Everyone has been heard from recently. 🌱" in valid(parts[-1])


def big_facts():
    """20 members each leaving a long comment (HTML, emoji, RTL) on 3 questions."""
    facts = month_facts()
    members = tuple(
        MemberFacts(user_id=user, name=f"Member <{user}> 😀", joined_at=JOINED,
                    last_answered_at=None if user % 4 == 0 else NOW - timedelta(days=user),
                    answers=1, quiet=user % 5 == 0)
        for user in range(1, 21)
    )
    comment = ("Our <b>neighbourhood</b> & the council 🤝 need time; שלום לכולם; " * 4).strip()
    questions = tuple(
        QuestionFacts(
            prompt_id=number, pack_id="checklist-cso", item_id=f"cso-0{number}",
            theme="defining-valued-outcomes", opened_at=NOW - timedelta(days=number),
            distribution=(2, 3, 5, 6, 4), respondents=tuple(range(1, 21)), private_answers=3,
            comments=tuple(CommentFacts(user_id=user, text=f"{user}: {comment}",
                                        has_voice=user % 3 == 0, private=user % 6 == 0,
                                        quotable=True) for user in range(1, 21)),
        )
        for number in (1, 2, 3)
    )
    return replace(facts, members=members, questions=questions)


def test_a_long_digest_is_split_into_valid_messages(catalog, packs):
    result = digest(big_facts(), NOW)
    parts = digest_messages(catalog, result, packs)
    assert len(parts) >= 3
    assert sum(utf16_len(part) for part in parts) > 2 * TELEGRAM_LIMIT
    texts = [valid(part) for part in parts]
    everything = "\n".join(texts)
    for question in result.questions:
        for seen in question.comments:
            assert isolated(seen.text) in everything
    assert everything.count("🎤") == 3 * 6  # users 3, 6, ..., 18 on each question
    assert everything.count("(given privately)") == 3 * 3 * 2  # users 6, 12, 18: text, voice
    assert "Member <5> 😀" in everything


def test_group_summary_messages_split_a_long_summary(catalog, packs):
    summary = summarise(big_facts())
    parts = group_summary_messages(catalog, summary, packs)
    assert "\n".join(parts) == group_summary_text(catalog, summary, packs)
    for part in parts:
        valid(part)


def test_a_comment_longer_than_a_message_is_cut_validly(catalog, packs):
    facts = month_facts()
    essay = " ".join(["<b>long</b> & 😀 שלום"] * 400)  # about 8,000 units once escaped
    comment = CommentFacts(user_id=101, text=essay, has_voice=False, private=False,
                           quotable=True)
    question = replace(facts.questions[0], comments=(comment,))
    parts = digest_messages(catalog, digest(replace(facts, questions=(question,)), NOW), packs)
    texts = [valid(part) for part in parts]
    assert len(texts) >= 3
    assert "".join(texts).count("<b>long</b> & 😀") == 400


@pytest.mark.parametrize("limit", [40, 300, TELEGRAM_LIMIT])
def test_message_packing_is_exactly_split_lines(limit):
    """The renderer packs lines in one pass; it must cut exactly where
    split_lines would (blank lines, blank-only lines, lines over the limit)."""
    rng = random.Random(limit)
    words = ["a", "to", "<b>bold</b>", "R&amp;D", "ñandú", "😀", "<i>a few words</i>", "שלום"]
    for _ in range(150):
        lines = []
        for _ in range(rng.randint(0, 40)):
            kind = rng.random()
            if kind < 0.1:
                lines.append("")
            elif kind < 0.13:
                lines.append("   ")
            else:
                count = rng.randint(1, 12) if rng.random() < 0.8 else rng.randint(20, 80)
                lines.append(" ".join(rng.choice(words) for _ in range(count)))
        assert _messages(lines, limit) == split_lines("\n".join(lines), limit)
