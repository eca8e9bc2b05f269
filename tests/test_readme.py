"""The README's examples show what the bot really says."""

from __future__ import annotations

import re
from pathlib import Path

from fake_telegram import visible_text

from bot.cli import main
from bot.render.question import group_question

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_programme_titles_in_the_readme_are_real(packs):
    titles = {pack.title["en"] for pack in packs}
    named = re.findall(r"Civic partnership: [a-z ]+[a-z]", README)
    assert named, "the example names a programme"
    assert set(named) <= titles


def test_the_question_example_is_the_question_as_sent(catalog, packs):
    pack = packs["checklist-cso"]
    sent = visible_text(group_question(catalog, "en", pack, pack.item("cso-13"), answered=7))
    example = README.split("A question looks like this in the group:", 1)[1].split("\n\n- ")[0]
    quoted = [line.removeprefix(">").strip().replace("*", "") for line in example.splitlines()
              if line.startswith(">")]
    assert "\n".join(quoted).startswith(sent + "\n")


def test_the_content_check_example_is_the_output(monkeypatch, tmp_path, capsys):
    for name in ("CIVIC_REFLECT_CONTENT", "DEFAULT_LANGUAGE", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CIVIC_REFLECT_DB", str(tmp_path / "bot.sqlite3"))
    assert main(["content", "check"]) == 0
    out = capsys.readouterr().out
    block = README.split("$ civic-reflect content check\n", 1)[1].split("```", 1)[0]
    assert block == out
