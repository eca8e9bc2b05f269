"""Personal commitments' parts: the check-in dates (bot/domain/commitments.py)
in the person's time zone across clock changes, the commitment's words, its
state; the content marking the prompts that offer one; and how the journal,
its export and the recap show it, within one Telegram message at worst."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.content.packs import PackError
from bot.domain.actions import MAX_TEXT, Action, Owner
from bot.domain.commitments import (
    CHOICE_DAYS,
    OFFER_CHOICES,
    Commitment,
    checkin_date,
    commitment_of,
    commitment_text,
    of_the_week,
)
from bot.domain.recap import weekly_recap
from bot.render import callbacks, commitments, personal
from bot.render.journal_export import export_json, export_markdown

from helpers.personal import MONDAY, entry
from helpers.render_checks import isolated, valid


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# -- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("made", "timezone", "choice", "due"), [
    # Madrid: made in winter time, due in summer time (clocks go forward on
    # 29 March 2026): seven calendar days, at 10:00 local both sides.
    (utc(2026, 3, 23, 19, 15), "Europe/Madrid", "w1", utc(2026, 3, 30, 8, 0)),
    (utc(2026, 3, 27, 9, 0), "Europe/Madrid", "d3", utc(2026, 3, 30, 8, 0)),
    # Back again on 25 October 2026.
    (utc(2026, 10, 20, 12, 0), "Europe/Madrid", "w1", utc(2026, 10, 27, 9, 0)),
    # Santiago's clocks go back on 5 April 2026 (UTC-3 to UTC-4).
    (utc(2026, 4, 1, 12, 0), "America/Santiago", "w2", utc(2026, 4, 15, 14, 0)),
    # Late evening in UTC is already the next day in Auckland: counted from
    # the person's own day.
    (utc(2026, 6, 1, 22, 0), "Pacific/Auckland", "d3", utc(2026, 6, 4, 22, 0)),
    (utc(2026, 6, 1, 22, 0), "UTC", "d3", utc(2026, 6, 4, 10, 0)),
])
def test_a_checkin_comes_that_many_local_days_later_at_ten(made, timezone, choice, due):
    assert checkin_date(choice, made, timezone) == due


def test_the_choices_are_the_buttons_and_an_unknown_one_is_refused():
    assert OFFER_CHOICES == callbacks.COMMIT_CHOICES
    assert CHOICE_DAYS == {"d3": 3, "w1": 7, "w2": 14}
    with pytest.raises(ValueError):
        checkin_date("no", MONDAY, "UTC")
    with pytest.raises(ValueError):
        checkin_date("m1", MONDAY, "UTC")


def test_the_same_choice_from_the_same_moment_gives_the_same_date():
    made = utc(2026, 3, 28, 23, 30)  # Sunday 00:30 in Madrid, the night of the change
    assert checkin_date("w1", made, "Europe/Madrid") == checkin_date("w1", made, "Europe/Madrid")
    assert checkin_date("w1", made, "Europe/Madrid") == utc(2026, 4, 5, 8, 0)


# -- words and state -----------------------------------------------------------------------------


def test_the_commitment_is_the_first_line_of_the_answer_within_one_action_line():
    assert commitment_text("Call  Marta\nabout the garden") == "Call Marta…"
    assert commitment_text("  \n Plant beans  ") == "Plant beans"
    long = commitment_text("word " * 100)
    assert len(long) <= MAX_TEXT and long.endswith("…")
    assert commitment_text("   ") is None
    assert commitment_text(None) is None


def action(state: str = "open", closed_at: datetime | None = None) -> Action:
    return Action(7, 701, "Plant beans", 701, MONDAY, MONDAY + timedelta(days=7), 3, state,
                  closed_at, None)


def owner(state: str, note: str | None = None) -> Owner:
    return Owner(7, 701, MONDAY, state, None, 1, MONDAY + timedelta(days=7), note, False, None)


@pytest.mark.parametrize(("action_state", "owner_state", "shown"), [
    ("open", "on", "open"), ("open", "asked", "asked"), ("open", "on_way", "on_way"),
    ("open", "stuck", "stuck"), ("done", "done", "done"), ("dropped", None, "let_go"),
])
def test_a_commitment_reads_its_state_from_its_action_and_owner(action_state, owner_state,
                                                                shown):
    closed = MONDAY + timedelta(days=7) if action_state != "open" else None
    made = commitment_of(action(action_state, closed),
                         owner(owner_state, "went well") if owner_state else None)
    assert made.state == shown
    assert made.settled is (shown in ("done", "let_go"))
    assert (made.text, made.prompt_id, made.made_at) == ("Plant beans", 3, MONDAY)
    if owner_state is None:  # let go: the owner's row is gone, its day kept
        assert (made.answered_at, made.note) == (closed, None)


def commitment(made_at: datetime, answered_at: datetime | None = None, *, state="open",
               text="Plant beans", note=None) -> Commitment:
    return Commitment(7, 3, text, made_at, made_at + timedelta(days=7), state, answered_at,
                      note)


def test_the_week_holds_commitments_made_or_answered_in_it():
    start, end = MONDAY, MONDAY + timedelta(days=7)
    made_before = commitment(start - timedelta(days=10))
    answered = commitment(start - timedelta(days=10), start + timedelta(days=1), state="done")
    made = commitment(start + timedelta(days=2))
    after = commitment(end)
    assert of_the_week([made_before, answered, made, after], start, end) == [answered, made]


def test_a_week_with_a_commitment_and_no_answers_has_a_recap():
    start, end = MONDAY, MONDAY + timedelta(days=7)
    done = commitment(start - timedelta(days=3), start + timedelta(days=1), state="done")
    assert weekly_recap([], week_start=start, week_end=end, next_item=None) is None
    recap = weekly_recap([], week_start=start, week_end=end, next_item=None,
                         commitments=[done])
    assert (recap.count, recap.commitments) == (0, (done,))


# -- content -------------------------------------------------------------------------------------


def test_the_small_action_prompts_offer_a_commitment(packs):
    offering = {(pack.id, item.id) for pack in packs for item in pack.items
                if item.offers_commitment}
    assert offering == {("theory-u", "u-11"), ("three-steps", "steps-05")}
    assert packs["theory-u"].item("u-11").theme == "try-small-action"
    assert packs["three-steps"].item("steps-05").theme == "take-responsibility"


@pytest.mark.parametrize(("line", "error"), [
    ('offers_commitment = "yes"', "offers_commitment must be true or false"),
    ('offers_commitment = true\nanswer = "scale"', "only a text prompt can offer a commitment"),
])
def test_the_content_check_refuses_a_bad_offer(tmp_path, line, error):
    from bot.content.packs import load_pack

    path = tmp_path / "mine.toml"
    path.write_text(f"""schema = 1
id = "mine"
order = 1
audience = "personal"
languages = ["en"]
[title]
en = "Mine"
[description]
en = "Mine"
[scale]
en = ["1", "2", "3", "4", "5"]
[[items]]
id = "m-01"
{line}
[items.text]
en = "What will you try?"
""", encoding="utf-8")
    with pytest.raises(PackError, match=error):
        load_pack(path)


# -- as the person reads it ----------------------------------------------------------------------


HOSTILE_LINE = "<b>x</b> & 😀 " * 40


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("chunk", ["&", "<>", "😀", "&😀 ", "word "])
def test_a_page_of_five_worst_case_entries_with_commitments_fits_one_message(
        catalog, packs, language, chunk):
    answer = "\n".join([chunk * 500] * 12)
    entries = [entry(n, MONDAY + timedelta(days=n), "theory-u", "u-11", text=answer, voice=True)
               for n in range(personal.PAGE_SIZE)]
    worst = {n: commitment(MONDAY, MONDAY, state="on_way", text=chunk * 200,
                           note=chunk * 200) for n in range(personal.PAGE_SIZE)}
    text, _ = personal.journal_page(catalog, language, entries, packs, page=2, pages=3,
                                    pack_filter="theory-u", timezone="America/Santiago",
                                    commitments_by_prompt=worst)
    assert valid(text).count("🌱") == personal.PAGE_SIZE


@pytest.mark.parametrize("chunk", ["&", "😀", "word "])
def test_a_busy_recap_with_commitments_fits_one_message(catalog, packs, chunk):
    start = MONDAY
    entries = [entry(n, start + timedelta(hours=n), "theory-u", "u-11", text=chunk * 2000)
               for n in range(20)]
    made = [commitment(start + timedelta(hours=n), text=chunk * 200) for n in range(20)]
    recap = weekly_recap(entries, week_start=start, week_end=start + timedelta(days=7),
                         next_item=("theory-u", "u-12"), commitments=made)
    shown = valid(personal.recap_text(catalog, "en", recap, packs))
    assert shown.count(": Waiting for the day") == personal.RECAP_LINES


def test_the_journal_shows_the_commitment_under_its_entry_as_typed(catalog, packs):
    entries = [entry(3, MONDAY, "theory-u", "u-11", text=HOSTILE_LINE)]
    done = replace(commitment(MONDAY, MONDAY + timedelta(days=7), state="done",
                              text="Plant <beans> & peas", note="Went well & fast"))
    text, _ = personal.journal_page(catalog, "en", entries, packs, page=1, pages=1,
                                    pack_filter=None, timezone="Europe/Madrid",
                                    commitments_by_prompt={3: done})
    shown = valid(text)
    assert f"🌱 Commitment: {isolated('Plant <beans> & peas')}" in shown
    assert "Done. Made on Monday 2 March. Check-in on Monday 9 March." in shown
    assert f"💬 {isolated('Went well & fast')}" in shown
    # Another entry has no commitment line.
    text, _ = personal.journal_page(catalog, "en", entries, packs, page=1, pages=1,
                                    pack_filter=None, commitments_by_prompt={4: done})
    assert "Commitment" not in valid(text)


def test_the_export_files_carry_the_commitment(catalog, packs):
    entries = [entry(3, MONDAY, "theory-u", "u-11", text="Plant beans"),
               entry(4, MONDAY + timedelta(days=1), "theory-u", "u-12", text="With Ana")]
    stuck = commitment(MONDAY, MONDAY + timedelta(days=7), state="stuck",
                       text="Plant <beans>", note="No seeds yet")
    markdown = export_markdown(entries, packs, "es", name="Rosa", catalog=catalog,
                               timezone="Europe/Madrid", commitments={3: stuck})
    assert "🌱 Compromiso: Plant <beans>" in markdown
    assert "Atascado. Creado el lunes 2 de marzo. Seguimiento el lunes 9 de marzo." in markdown
    assert "💬 No seeds yet" in markdown
    records = json.loads(export_json(entries, packs, "es", {3: stuck}))
    assert records[0]["commitment"] == {
        "text": "Plant <beans>", "made_at": "2026-03-02T08:15:00Z",
        "check_in_at": "2026-03-09T08:15:00Z", "state": "stuck",
        "answered_at": "2026-03-09T08:15:00Z", "note": "No seeds yet"}
    assert "commitment" not in records[1]


def test_the_offer_carries_its_prompt_and_each_choice(catalog):
    text, keyboard = commitments.offer(catalog, "en", 42, "Plant <beans>")
    assert valid(text).startswith("🌱 Want to make this a commitment?\n📌 Plant <beans>")
    data = [button.callback_data for row in keyboard.inline_keyboard for button in row]
    assert [callbacks.decode(d) for d in data] == [
        callbacks.Commit(42, choice) for choice in ("d3", "w1", "w2", "no")]


def test_a_recap_of_commitments_alone_counts_no_prompts(catalog, packs):
    done = commitment(MONDAY - timedelta(days=3), MONDAY + timedelta(days=1), state="done",
                      text="Plant <beans>")
    recap = weekly_recap([], week_start=MONDAY, week_end=MONDAY + timedelta(days=7),
                         next_item=None, commitments=[done])
    shown = valid(personal.recap_text(catalog, "es", recap, packs))
    assert "respondido" not in shown and "0" not in shown
    assert f"Tus compromisos\n• {isolated('Plant <beans>')}: Hecho" in shown
