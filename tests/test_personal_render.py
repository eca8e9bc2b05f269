"""Personal reflection as Telegram sees it (bot/render/personal.py): prompts,
the journal, the export files, and the strings behind them
(bot/content/locales/*.personal.toml). The wizard's messages are tested in
test_onboarding.py, the recap's in test_recap.py, with the helpers here."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.content.locales import LOCALE_DIR
from bot.render import callbacks, personal
from bot.render.journal_export import export_json, export_markdown
from bot.render.question import scale_rows

from helpers.personal import HOSTILE, MONDAY, a_week_of_entries, buttons, entry
from helpers.render_checks import isolated, valid

ROOT = Path(__file__).resolve().parents[1]






# -- prompts ---------------------------------------------------------------------------------------


def test_a_written_prompt_says_how_to_answer_and_has_no_buttons(catalog, packs):
    pack = packs["well-being"]
    item = pack.item("wellbeing-01")
    text = personal.personal_question(catalog, "en", pack, item, position=1, total=5)
    assert valid(text) == (
        "🌱 Five ways to well-being · 1 of 5\nConnect\n\n"
        "Who have you connected with lately, even briefly? How did it feel?\n\n"
        "Answer with your next message: text or a voice note.\n"
        "/later asks again in an hour · /skip moves on"
    )
    assert personal.personal_keyboard(catalog, "en", pack, item, 12) is None


def test_a_scale_prompt_has_the_group_scale_buttons_and_the_glossary(catalog, packs):
    pack = packs["checklist-cso"]
    item = pack.item("cso-03")
    text = personal.personal_question(catalog, "es", pack, item, position=3, total=15)
    assert valid(text).startswith(
        "🌱 Alianza cívica: sociedad civil · III (3 de 15)\nDefinir resultados valorados")
    assert valid(text).endswith("Toca una valoración aquí abajo.\n"
                                "/luego te lo vuelve a preguntar en una hora · /saltar pasa a la "
                                "siguiente")
    keyboard = personal.personal_keyboard(catalog, "es", pack, item, 12)
    # The scale, then "What does this mean?" (the CSO, valued outcomes).
    assert keyboard.inline_keyboard[:-1] == tuple(
        tuple(row) for row in scale_rows(catalog, "es", pack, 12))
    assert buttons(keyboard)[-1] == [("❓ ¿Qué significa esto?", "1|g|12")]
    assert all(button.url is None for row in keyboard.inline_keyboard for button in row)
    assert buttons(keyboard)[1][-1] == ("Saltar", "1|r|12|0")


def test_saved_names_the_programme_and_the_prompt(catalog, packs):
    pack = packs["checklist-cso"]
    text = personal.saved_in_journal(catalog, "en", pack, pack.item("cso-01"))
    assert valid(text) == (
        "📓 Saved in your journal, as your answer to:\n"
        "Civic partnership: civil society · How well has the CSO articulated its goals in terms "
        "of valued outcomes (e.g.…"
    )


def test_later_and_resumed_are_in_the_persons_zone(catalog):
    later = personal.later_text(catalog, "en", datetime(2026, 3, 2, 23, 30, tzinfo=UTC),
                                "Europe/Madrid")
    assert valid(later) == "⏰ Fine: I will ask again at 00:30."
    resumed = personal.resumed_text(catalog, "es", MONDAY, "Europe/Madrid")
    assert valid(resumed) == ("▶️ Qué bien tenerte de vuelta. Tu siguiente pregunta llegará el "
                              "lunes 2 de marzo a las 09:15 (Europe/Madrid).")


@pytest.mark.parametrize(("language", "hours_before", "said"), [
    ("en", 2, "Your next prompt comes today at 09:15 (Europe/Madrid)."),
    ("en", 24, "Your next prompt comes tomorrow at 09:15 (Europe/Madrid)."),
    ("en", 72, "Your next prompt comes on Monday 2 March at 09:15 (Europe/Madrid)."),
    ("es", 2, "Tu siguiente pregunta llegará hoy a las 09:15 (Europe/Madrid)."),
    ("es", 24, "Tu siguiente pregunta llegará mañana a las 09:15 (Europe/Madrid)."),
    ("es", 72, "Tu siguiente pregunta llegará el lunes 2 de marzo a las 09:15 (Europe/Madrid)."),
])
def test_when_a_prompt_comes_is_said_from_today(catalog, language, hours_before, said):
    """"Today" where it is today (issue 23): a day and a date only beyond tomorrow,
    counted in the person's own zone."""
    now = MONDAY - timedelta(hours=hours_before)
    assert valid(personal.resumed_text(catalog, language, MONDAY, "Europe/Madrid", now)).endswith(
        said)


# -- the journal -----------------------------------------------------------------------------------




def test_a_journal_page_newest_first_with_escaped_answers(catalog, packs):
    text, keyboard = personal.journal_page(catalog, "en", a_week_of_entries(), packs, page=1,
                                           pages=2, pack_filter=None, timezone="Europe/Madrid")
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;a href='x'&gt;" in text
    assert valid(text) == (
        "📓 Your journal\n"
        "Page 1 of 2, newest first\n\n"
        "Friday 6 March 2026, 09:15 · Five ways to well-being\n"
        "What have you given lately, such as time, a kind word or a helping hand, and what did "
        "it mean to…\n"
        "Skipped\n\n"
        "Thursday 5 March 2026, 09:15 · Five ways to well-being\n"
        "A prompt that is no longer in the programme\n"
        f"💬 {isolated(HOSTILE)}\n\n"
        "Wednesday 4 March 2026, 09:15 · Five ways to well-being\n"
        "What did you notice recently that you might usually miss: a sound, a face, a change in "
        "the season?\n"
        "🎙 Voice note\n\n"
        "Tuesday 3 March 2026, 09:15 · Civic partnership: civil society\n"
        "How well is the CSO exploring how these goals might contribute to progress on wider "
        "local…\n"
        "⭐ 4 of 5 · Mostly\n\n"
        "Monday 2 March 2026, 09:15 · Five ways to well-being\n"
        "Who have you connected with lately, even briefly? How did it feel?\n"
        f"💬 {isolated('Called my sister.')}\n"
        f"{isolated('We laughed a lot.')}"
    )
    assert buttons(keyboard) == [[("Older ›", "1|j|2|-")]]


def test_middle_and_last_pages_carry_the_filter_in_their_buttons(catalog, packs):
    entries = [entry(1, MONDAY, text="a walk")]
    _, middle = personal.journal_page(catalog, "es", entries, packs, page=2, pages=3,
                                      pack_filter="well-being")
    assert buttons(middle) == [[("‹ Más recientes", "1|j|1|well-being"),
                                ("Anteriores ›", "1|j|3|well-being")]]
    text, last = personal.journal_page(catalog, "es", entries, packs, page=3, pages=3,
                                       pack_filter="well-being")
    assert valid(text).startswith("📓 Tu diario · Cinco formas de cuidar el bienestar\n"
                                  "Página 3 de 3, lo más reciente primero\n\n"
                                  "lunes 2 de marzo de 2026, 08:15 · ")
    assert buttons(last) == [[("‹ Más recientes", "1|j|2|well-being")]]


def test_a_single_page_has_no_buttons_and_no_page_line(catalog, packs):
    text, keyboard = personal.journal_page(catalog, "en", [entry(1, MONDAY, voice=True)], packs,
                                           page=1, pages=1, pack_filter=None)
    assert keyboard is None
    assert valid(text).startswith("📓 Your journal\n\nMonday 2 March 2026, 08:15")


def test_an_empty_journal(catalog, packs):
    text, keyboard = personal.journal_page(catalog, "en", [], packs, page=1, pages=1,
                                           pack_filter=None)
    assert (valid(text), keyboard) == (
        "📓 Your journal\n\nYour journal is empty for now. Your answers to your prompts will "
        "appear here.", None)
    text, _ = personal.journal_page(catalog, "es", [], packs, page=1, pages=1,
                                    pack_filter="theory-u")
    assert valid(text) == ("📓 Tu diario · Teoría U: un viaje de aprendizaje\n\n"
                           "Todavía no hay respuestas de Teoría U: un viaje de aprendizaje.")


def test_long_answers_are_shortened_and_say_where_the_full_text_is(catalog, packs):
    long = "word " * 300 + "\nand a second line"
    text, _ = personal.journal_page(catalog, "en", [entry(1, MONDAY, text=long)], packs,
                                    page=1, pages=1, pack_filter=None)
    shown = valid(text)
    assert "and a second line" not in shown
    assert shown.endswith("word…\u2069\n\nLong answers are shortened here: /export has them "
                          "in full.")


def test_many_short_lines_are_cut_after_six(catalog, packs):
    lines = "\n".join(f"line {n}" for n in range(1, 10))
    text, _ = personal.journal_page(catalog, "en", [entry(1, MONDAY, text=lines)], packs,
                                    page=1, pages=1, pack_filter=None)
    shown = valid(text)
    assert isolated("line 6") + "\n…\n\nLong answers are shortened" in shown
    assert "line 7" not in shown


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("chunk", ["&", "<>", "😀", "&😀 ", "ש&ל ", "word "])
def test_a_page_of_five_worst_case_answers_fits_one_message(catalog, packs, language, chunk):
    answer = "\n".join([chunk * 500] * 12)
    entries = [entry(n, MONDAY + timedelta(days=n), "checklist-cso", "cso-02", scale=5,
                     text=answer, voice=True) for n in range(personal.PAGE_SIZE)]
    text, _ = personal.journal_page(catalog, language, entries, packs, page=2, pages=3,
                                    pack_filter="checklist-cso", timezone="America/Santiago")
    valid(text)


def test_a_page_refuses_more_entries_than_it_can_show(catalog, packs):
    entries = [entry(n, MONDAY, text="x") for n in range(personal.PAGE_SIZE + 1)]
    with pytest.raises(ValueError):
        personal.journal_page(catalog, "en", entries, packs, page=1, pages=1, pack_filter=None)


def test_journal_button_data():
    assert personal.journal_button_data(3, None) == "1|j|3|-"
    assert personal.journal_button_data(12, "well-being") == "1|j|12|well-being"
    assert len(personal.journal_button_data(callbacks.MAX_PAGE, "a" * 40).encode()) <= 64
    with pytest.raises(ValueError):  # a page past any journal is never put on a button
        personal.journal_button_data(callbacks.MAX_PAGE + 1, None)
    for page, pack_id in ((0, None), (-1, None), (True, None), (1, "a|b"), (1, "a" * 60)):
        with pytest.raises(ValueError):
            personal.journal_button_data(page, pack_id)


def test_journal_buttons_decode():
    assert callbacks.decode(personal.journal_button_data(3, "well-being")) == callbacks.Journal(
        3, "well-being")
    assert callbacks.decode(personal.journal_button_data(1, None)) == callbacks.Journal(1, None)


@pytest.mark.parametrize(("total", "pages"), [(0, 1), (1, 1), (5, 1), (6, 2), (11, 3)])
def test_page_count(total, pages):
    assert personal.page_count(total) == pages


def test_an_unknown_filter_lists_the_programmes(catalog, packs):
    text = personal.journal_unknown_filter(catalog, "en", "<script>", packs)
    assert valid(text) == (f"I don't know a programme called “{isolated('<script>')}”. Send "
                           "/journal on its own, or followed by one of: checklist-la, "
                           "checklist-cso, theory-u, three-steps, well-being.")


# -- export ----------------------------------------------------------------------------------------


def test_markdown_export_reads_oldest_first_with_the_text_as_typed(catalog, packs):
    entries = [entry(2, MONDAY + timedelta(days=1), "checklist-cso", "cso-01", scale=5),
               entry(1, MONDAY, text=HOSTILE + "\n\n# not a heading of ours", voice=True)]
    markdown = export_markdown(entries, packs, "en", name="Ana \n María",
                               timezone="Europe/Madrid", catalog=catalog)
    assert markdown == (
        "# Reflection journal: Ana María\n\n"
        "Exported from civic-reflect. Times are in Europe/Madrid.\n\n"
        "## Monday 2 March 2026, 09:15 · Five ways to well-being\n\n"
        "> Who have you connected with lately, even briefly? How did it feel?\n\n"
        f"{HOSTILE}\n\n# not a heading of ours\n\n"
        "🎙 Voice note (the recording itself stays in Telegram)\n\n"
        "## Tuesday 3 March 2026, 09:15 · Civic partnership: civil society\n\n"
        f"> {packs['checklist-cso'].item('cso-01').text['en']}\n\n"
        "Rating: 5 of 5 (Very well)\n"
    )


def test_markdown_export_in_spanish_and_empty(catalog, packs):
    markdown = export_markdown([], packs, "es", name="Lu", catalog=catalog)
    assert markdown == ("# Diario de reflexión: Lu\n\n"
                        "Exportado desde civic-reflect. Las horas están en UTC.\n\n"
                        "Todavía no hay entradas.\n")


def test_json_export_has_every_entry_oldest_first(packs):
    entries = a_week_of_entries()
    records = json.loads(export_json(list(reversed(entries)), packs, "es"))
    assert len(records) == len(entries)
    assert [record["item"] for record in records] == [e.item_id for e in entries]
    assert records[0] == {
        "asked_at": "2026-03-02T07:15:00Z",
        "answered_at": "2026-03-02T08:15:00Z",
        "programme": "well-being",
        "programme_title": "Cinco formas de cuidar el bienestar",
        "item": "wellbeing-01",
        "prompt": packs["well-being"].item("wellbeing-01").text["es"],
        "rating": None,
        "rating_label": None,
        "text": "Called my sister.\nWe laughed a lot.",
        "voice": False,
    }
    assert (records[1]["rating"], records[1]["rating_label"]) == (4, "Bastante")
    assert records[2]["voice"] is True
    assert (records[3]["prompt"], records[3]["text"]) == (None, HOSTILE)
    assert (records[4]["rating"], records[4]["text"]) == (None, None)  # skipped


def test_json_export_keeps_non_ascii_readable(packs):
    exported = export_json([entry(1, MONDAY, text="שלום 😀")], packs, "en")
    assert "שלום 😀" in exported


# -- strings ---------------------------------------------------------------------------------------


def test_personal_strings_live_in_their_own_tables_in_both_languages(catalog):
    assert catalog.problems() == []
    for language in ("en", "es"):
        with (LOCALE_DIR / f"{language}.personal.toml").open("rb") as handle:
            tables = set(tomllib.load(handle))
        assert tables == {"onboarding", "personal", "journal", "recap"}
