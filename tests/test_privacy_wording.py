"""What /start says the bot keeps is what the promise register's privacy table lists.

Each row of the table ("What the bot keeps, and who sees it" in
docs/how/promises.md) is matched to the
words that must say it in `about.stores`, in English and in Spanish. A row
added to the README without its words here, or a kept item dropped from
either language, fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.render.about import private_welcome
from bot.sandbox.telegram import visible_text

README = Path(__file__).resolve().parents[1] / "docs" / "how" / "promises.md"

# (as the README says it, as about.stores says it in English, and in Spanish)
KEPT = [
    ("title", "title", "el nombre del grupo"),
    ("time zone", "time zone", "zona horaria"),
    ("language", "language", "idioma"),
    ("names or counts", "names or counts only", "nombres o solo el recuento"),
    ("reminders", "reminders", "recordatorios"),
    ("quiet hours", "quiet hours", "horas de silencio"),
    ("Telegram id", "Telegram id", "identificador de Telegram"),
    ("name and username as Telegram shows them", "name and username as Telegram shows",
     "nombre de usuario tal como los muestra Telegram"),
    ("when first and last seen", "when I first and last saw you",
     "la primera y la última vez que te he visto"),
    ("left or not", "whether you left", "si has salido del grupo"),
    ("`/quiet`", "/quiet", "/silencio"),
    ("coordinators: who, and who added them", "its coordinators and who added them",
     "sus personas coordinadoras y quién las ha añadido"),
    ("programmes: pack, schedule", "its programme and schedule", "su programa y su calendario"),
    ("each question put to a group", "each question I asked there", "cada pregunta que he hecho"),
    ("opened and closed times", "when it opened and closed", "cuándo se ha abierto y cerrado"),
    ("rating", "the rating", "la valoración"),
    ("comment text or voice-note file id", "the comment or voice note",
     "el comentario o la nota de voz"),
    ("the audio stays on Telegram's servers", "the audio stays on Telegram's servers",
     "el audio se queda en los servidores de Telegram"),
    ("in the group or private", "in the group or privately", "en el grupo o en privado"),
    ("may be quoted or not", "whether it may be quoted", "si se puede citar"),
    ("when given and edited", "when it was given and edited",
     "cuándo has respondido y cuándo has editado la respuesta"),
    ("every earlier version", "every earlier version (the edit history)",
     "cada versión anterior (el historial de cambios)"),
    ("what the bot sent on its own (questions, closing edits, reminders, summaries, digests "
     "and recaps)", "what I sent on my own (questions, reminders, summaries, digests and recaps)",
     "lo que he enviado por mi cuenta (preguntas, recordatorios, resúmenes del grupo, informes de "
     "coordinación y resúmenes de tu semana)"),
    ("to which chat, when, and whether it arrived, never the text",
     "to which chat, when and whether it arrived, never its text",
     "a qué chat, cuándo y si ha llegado, nunca su texto"),
    ("partnerships: which council group and which civil-society group are linked, since when",
     "partnerships: which groups it is linked with and since when",
     "las alianzas de cada grupo: con qué grupos está enlazado y desde cuándo"),
    ("partnership codes as a hash only (never the code)",
     "partnership codes only as a hash, never the code",
     "los códigos de alianza solo como una huella (hash), nunca el código"),
    ("actions: the line, who made it and who took it on",
     "each group's actions: the line, who made it and who took it on",
     "las acciones de cada grupo: el texto, quién la ha propuesto y quién se encarga"),
    ("each check-in answer with its note", "each check-in answer with its note",
     "cada respuesta de seguimiento con su nota"),
    ("each design-test rating", "each design-test rating",
     "cada valoración de las pruebas de diseño"),
    ("a note only if its owner shares it", "coordinators see a note only if you share it",
     "la coordinación solo ve una nota si la compartes"),
    ("recap day", "recap day", "el día del resumen"),
    ("their personal programme, its prompts and their answers (the journal)",
     "your personal programme, its prompts and your answers (your journal)",
     "tu programa personal, sus preguntas y tus respuestas (tu diario)"),
    ("an unfinished `/setup` or `/programme` wizard", "an unfinished /setup or /programme",
     "un /setup o /programa sin terminar"),
]


def privacy_rows() -> list[str]:
    """The "kept" cells of the README's privacy table."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## What the bot keeps, and who sees it", 1)[1]
    table = section.split("\n\n", 2)[1]
    rows = [line for line in table.splitlines() if line.startswith("| ")][1:]  # no header
    return [row.split(" | ")[0].removeprefix("| ") for row in rows]


def stores(catalog, language: str) -> str:
    return " ".join(visible_text(catalog.text(language, "about.stores")).split())


def test_the_readme_table_is_what_these_words_describe():
    rows = privacy_rows()
    assert len(rows) == 11
    for row in rows:
        assert any(readme in row for readme, _, _ in KEPT), f"README row not covered: {row}"
    table = " ".join(rows)
    for readme, _, _ in KEPT:
        assert readme in table, f"no longer in the README's table: {readme}"


@pytest.mark.parametrize("language", ["en", "es"])
def test_about_stores_lists_every_kept_item(catalog, language):
    said = stores(catalog, language)
    column = 1 if language == "en" else 2
    missing = [words[column] for words in KEPT if words[column] not in said]
    assert missing == []


def test_the_start_message_shows_it_and_fits(catalog):
    for language in ("en", "es"):
        text = private_welcome(catalog, language, "Ana")
        assert len(text.encode("utf-16-le")) // 2 <= 4096
        assert re.search(r"Telegram id|identificador de Telegram", visible_text(text))
