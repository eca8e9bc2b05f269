"""Joint actions in words (bot/render/joint_actions.py), in English and
Spanish: the card's line, the summary's block with both sides' progress,
the agenda's buttons and "did it help?", titles and words escaped."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.content.locales import Catalog
from bot.domain.joint_actions import BeforeAfter, DidItHelp, Progress
from bot.domain.partnership import (
    Agenda,
    AgendaOpener,
    Opener,
    PairComparison,
    PairSpec,
    Side,
    SideScore,
    Standing,
)
from bot.render import joint_actions as render
from bot.render.callbacks import JointPropose, decode

MADE = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def scored(mean: float) -> SideScore:
    return SideScore(Standing.SCORED, mean)


def compared(number: int, ours: float, theirs: float) -> PairComparison:
    return PairComparison(PairSpec(number, "t", f"la-{number:02}", f"cso-{number:02}"),
                          scored(ours), scored(theirs))


def test_the_card_line_names_the_partner_and_the_pair(catalog):
    assert render.card_line(catalog, "en", "Riverside <CSO>", 4) == (
        "🤝 A joint action with Riverside &lt;CSO&gt;, on "
        "“Making sense of local challenges together”.")
    assert render.card_line(catalog, "es", "Red", 10).startswith(
        "🤝 Una acción conjunta con Red, sobre «")


def test_the_summary_block_gives_both_sides_progress_in_a_word(catalog):
    assert render.week_block(catalog, "en", []) is None
    block = render.week_block(catalog, "en", [
        ("Meet & talk", "Riverside CSO", Progress.ON_WAY, Progress.DONE)])
    assert block.split("\n") == [
        "🤝 <b>What we are doing with our partners</b>",
        "• Meet &amp; talk (with Riverside CSO): on the way here, done there."]
    spanish = render.week_block(catalog, "es", [
        ("Reunirnos", "Riverside Council", Progress.NOBODY, Progress.STUCK)])
    assert spanish.endswith(
        "• Reunirnos (con Riverside Council): nadie se encarga aún aquí, "
        "necesita una mano allí.")


def test_the_agenda_offers_its_widest_gaps_and_the_shared_lowest(catalog):
    widest = (compared(4, 5.0, 2.0), compared(10, 1.0, 4.0))
    lowest = compared(15, 1.0, 1.0)
    agenda = Agenda(widest, (), (AgendaOpener(Opener.GAP, widest[0]),
                                 AgendaOpener(Opener.LOWEST, lowest)))
    keyboard = render.agenda_keyboard(catalog, "en", 7, Side.CSO, agenda)
    pressed = [decode(row[0].callback_data) for row in keyboard.inline_keyboard]
    assert pressed == [JointPropose(7, "cso", 4), JointPropose(7, "cso", 10),
                       JointPropose(7, "cso", 15)]
    assert keyboard.inline_keyboard[2][0].text == "🤝 Joint action: Conversations that matter"
    assert render.agenda_keyboard(catalog, "en", 7, Side.CSO, Agenda((), (), ())) is None


def test_did_it_help_shows_averages_or_says_why_not(catalog):
    help_ = DidItHelp(
        BeforeAfter(scored(2.0), scored(3.33), True),
        BeforeAfter(SideScore(Standing.TOO_FEW, None), SideScore(Standing.NONE, None), False))
    text = render.did_it_help(catalog, "en", [("Meet", "Riverside CSO", 4, help_)])
    assert "   You: before 2.0 out of 5, now 3.3 out of 5" in text
    assert "   Riverside CSO: before not enough answers, now not asked again yet" in text
    spanish = render.did_it_help(catalog, "es", [("Reunirnos", "Red", 4, help_)])
    assert "   Nuestro grupo: antes 2,0 de 5, ahora 3,3 de 5" in spanish
    assert render.did_it_help(catalog, "en", []) is None
