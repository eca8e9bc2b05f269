"""A week in the sandbox as Diego, the Spanish member, and as a screen reader reads it.

Issue 23's "done when": the group (set up in Spanish) asks a question, Diego taps a
rating and reads it again in his private chat, the others answer, the weekly summary
comes; then Diego starts a personal programme in his private chat, answers a prompt and
reads his journal. Each chat is read through the page's accessibility tree (Playwright's
aria snapshot of the chat area), which is what a screen reader is given, and must say
everything in Spanish words: no change or link told by an arrow alone, every row of
blocks labelled in words before them, ratings "de 5", buttons named in words, the
summary's numbers each with what it counts.

The time controls are pressed on the page, as the tour does; only the group's set-up,
a coordinator's step before Diego's week, goes through the page's JSON actions.
"""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from bot.render.summary import BAR_BLOCK, EMPTY_BAR
from bot.sandbox.cast import GROUP_ID, GROUP_TITLE

from helpers.browser import CHROMIUM, key
from helpers.sandbox import AMARA, DIEGO, TryProcess

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="Debian's chromium is not installed at /usr/bin/chromium"),
]
WAIT_MS = 15_000
SETUP = ("Civic partnership checklist", "A civil-society organisation", "Once a week", "Monday",
         "09:00", "Europe/London", "Español", "Mostrar nombres")
PROGRAMME = ("Teoría U: un viaje de aprendizaje", "Todos los días", "18:00", "America/Bogota",
             "Sin resumen")
ANSWER = "He notado quién faltaba en la reunión."
# What a screen reader names by its shape: arrows (a change, a link), blocks (a bar).
ARROWS = "▲▼△▽↑↓⬆⬇↗↘"
# English a Spanish reader must not meet in the bot's words (tests/test_spanish.py has more).
ENGLISH = {"the", "and", "with", "your", "you", "please", "question", "questions", "answer",
           "answers", "reply", "tap", "here", "this", "that", "what", "who", "how", "of", "to",
           "for", "is", "are", "people", "rated", "week", "summary", "members", "thank"}
SPANISH = {"de", "la", "el", "que", "en", "y", "los", "las", "por", "para", "una", "tu", "han"}
# Not the bot's prose: works cited by title («...»), members' own words (isolated ⁨...⁩),
# names, time zones and commands.
NOT_PROSE = re.compile(r"«[^»]*»|\u2068[^\u2069]*\u2069|Riverside Neighbours|Civic Reflect|"
                       r"Centre for Inclusive Futures|Diego|Teoría U|America/Bogota|"
                       r"Europe/London|/\w+")


def test_diegos_week_reads_in_spanish_with_no_meaning_in_symbols(browser, tmp_path):
    sandbox = TryProcess()
    context = browser.new_context(viewport={"width": 1200, "height": 860}, locale="es-ES",
                                  timezone_id="UTC")
    try:
        set_up_the_group_in_spanish(sandbox.url)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(sandbox.url)
        page.locator("#me option").first.wait_for(state="attached")
        page.select_option("#me", str(DIEGO))
        open_chat(page, GROUP_TITLE)
        page.locator("#messages .msg", has_text="¡Todo listo!").wait_for()
        before = page.locator("#messages .msg.from-bot .text").count()

        # The group's week: a question, Diego's tap, the others' answers, the summary.
        press(page, "Next question now")
        page.locator("#messages .msg", has_text="1 de 15").last.wait_for()
        key(page, "4 · Bastante").click()
        page.locator("#toast-text").filter(has_text=re.compile(r"\w")).wait_for()
        # The pop-up may not reach a screen reader: the private copy says it again.
        key(page, "Responder en privado").click()
        page.locator("#chat-title", has_text="Civic Reflect").wait_for()
        page.locator("#messages .msg", has_text="Tu respuesta hasta ahora").wait_for()
        saved_again = chat_tree(page)
        assert "Tu respuesta hasta ahora: 4 de 5, Bastante." in spoken(saved_again), saved_again
        open_chat(page, GROUP_TITLE)
        press(page, "Let the others answer")
        press(page, "Jump to the weekly summary")
        open_chat(page, GROUP_TITLE)
        summary = page.locator("#messages .msg", has_text="Esta semana en").last
        summary.wait_for()
        summary_lines = [line.strip() for line in summary.locator(".text").inner_text()
                         .replace("\u2068", "").replace("\u2069", "").splitlines()]
        group = chat_tree(page)
        group_bot = bot_messages(page, since=before)
        assert len(group_bot) >= 3, group_bot  # the question, its reminder or not, the summary

        # His own programme, in his private chat.
        open_chat(page, "Civic Reflect")
        send(page, "/programa")
        for label in PROGRAMME:
            tap(page, label)
        page.locator("#messages .msg", has_text="¡Listo!").wait_for()
        press(page, "Next question now")
        page.locator("#messages .msg", has_text="1 de 14").wait_for()
        send(page, ANSWER)
        page.locator("#messages .msg", has_text="Guardado en tu diario").last.wait_for()
        send(page, "/diario")
        page.locator("#messages .msg", has_text="📓 Tu diario").wait_for()
        private = chat_tree(page)
        private_bot = bot_messages(page, since=0)
        (tmp_path / "diego-group.aria.yml").write_text(group, "utf-8")  # for a person to read
        (tmp_path / "diego-private.aria.yml").write_text(private, "utf-8")
        assert errors == []
    finally:
        context.close()
        code, _, stderr = sandbox.stop()
    assert code == 0 and "Traceback" not in stderr, stderr

    # In Spanish: each message the bot wrote to him, and each button's name.
    for text in group_bot + private_bot + button_names(group) + button_names(private):
        words = set(re.findall(r"[^\W\d_]+", NOT_PROSE.sub(" ", text).lower()))
        assert not words & ENGLISH, f"English in {text!r}: {sorted(words & ENGLISH)}"
    for text in group_bot + private_bot:
        assert set(re.findall(r"\w+", text.lower())) & SPANISH, text

    for tree in (group, private, saved_again):
        # No arrow (a change, a link) reaches the reader; no button is a symbol alone.
        read_as_arrows = [line.strip() for line in tree.splitlines()
                          if any(arrow in line for arrow in ARROWS)]
        assert read_as_arrows == []
        for name in button_names(tree):
            assert re.search(r"[^\W\d_]{2,}", name), f"a button named {name!r}"

    # Every row of blocks says what it counts, in words, before its blocks: as the summary
    # shows it line by line, and as the tree gives it (no block outside a labelled row).
    rows = [line for line in summary_lines if BAR_BLOCK in line
            or line.endswith(f" {EMPTY_BAR}")]
    assert len(rows) == 5, summary_lines  # a rating's spread: 5 to 1
    for row in rows:
        assert re.fullmatch(rf"Valoración [1-5]: \d+ personas? ({BAR_BLOCK}+|{EMPTY_BAR})", row)
    heard = spoken(group)
    labelled = re.findall(rf"Valoración [1-5]: \d+ personas? ({BAR_BLOCK}+)", heard)
    assert labelled and sum(map(len, labelled)) == heard.count(BAR_BLOCK), heard
    # The summary's numbers each say what they count, and a rating what it is out of.
    assert re.search(r"Esta semana han participado \d+ personas\.", heard), heard
    assert re.search(r"Han respondido \d+ personas\.", heard), heard
    assert re.search(r"Promedio: \d,\d de 5", heard), heard
    for line in summary_lines:
        if re.search(r"\d", line):
            assert re.search(r"[^\W\d_]{3,}", NOT_PROSE.sub(" ", line)), line
    # His programme, said from today; his prompt and his answer, read back.
    assert "Tu primera pregunta llegará hoy a las 18:00 (America/Bogota)." in spoken(private)
    assert "1 de 14" in private and ANSWER in private


# -- the page, as Diego uses it ------------------------------------------------------------------
def api(server: str, path: str, **body) -> dict:
    request = urllib.request.Request(server + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def set_up_the_group_in_spanish(server: str) -> None:
    """Amara, the coordinator, sets the group up by tapping, choosing Spanish."""
    api(server, "/api/send", user_id=AMARA, chat_id=GROUP_ID, text="/setup")
    for label in SETUP:
        with urllib.request.urlopen(server + "/api/state", timeout=60) as response:
            messages = json.loads(response.read())["messages"][str(GROUP_ID)]
        message = [m for m in messages if m["keyboard"]][-1]
        data = next(b["callback_data"] for row in message["keyboard"] for b in row
                    if b["text"] == label)
        api(server, "/api/press", user_id=AMARA, chat_id=GROUP_ID,
            message_id=message["message_id"], data=data)


def open_chat(page, title: str) -> None:
    name = page.locator(".chat-title", has_text=title)
    page.locator(".chat-item", has=name).click()
    page.locator("#chat-title", has_text=title).wait_for()


def press(page, control: str) -> None:
    page.locator(".controls button", has_text=control).click()
    page.locator("#status").filter(has_not_text="working…").filter(has_text=control).wait_for()


def tap(page, label: str) -> None:
    before = page.evaluate("() => document.querySelector('#messages').innerText")
    key(page, label).click()
    page.wait_for_function(
        "(before) => document.querySelector('#messages').innerText !== before", arg=before)


def send(page, text: str) -> None:
    page.locator("#composer-text").fill(text)
    page.locator("#send").click()
    page.locator("#messages .msg.out", has_text=text).last.wait_for()


# -- what a screen reader is given ---------------------------------------------------------------
def chat_tree(page) -> str:
    """The open chat's accessibility tree, as Playwright's aria snapshot writes it."""
    return page.locator("#messages").aria_snapshot()


def bot_messages(page, since: int) -> list[str]:
    """The text of each of the bot's messages in the open chat, from the `since`-th."""
    texts = page.locator("#messages .msg.from-bot .text")
    return [text.aria_snapshot() for text in texts.all()[since:]]


def button_names(tree: str) -> list[str]:
    """The accessible names of the chat's buttons and links (the page's own Reply and
    reply-preview buttons aside: the sandbox's, in English, named with the message)."""
    names = re.findall(r'(?:button|link) "((?:[^"\\]|\\.)*)"', tree)
    return [name for name in names if not name.startswith(("Reply to ", "In reply to "))]


def spoken(tree: str) -> str:
    """What a screen reader says of a tree, roughly: its text, without the roles."""
    lines = [re.sub(r"^\s*- (?:[\w ]+(?: \"[^\"]*\")?: )?", "", line).strip().strip("'\"")
             for line in tree.splitlines()]
    return " ".join(line for line in lines if line)

