"""The README and the documentation (docs/, built by mkdocs.yml) say what the
bot really does: their examples are what it says, every setting, command,
command-line command, metric and benchmark is on its page, every page is in
the site's navigation, and the README stays short, for the people it is for."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml

from bot.cli import _parser, main, running_line
from bot.config import Settings
from bot.handlers.registry import COMMANDS
from bot.render.question import group_question
from bot.runtime.metrics import Metrics
from bot.sandbox.telegram import visible_text

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
MOST_README_LINES = 200


def page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def pages() -> dict[str, str]:
    """Every page of the documentation, by its path under docs/."""
    return {path.relative_to(DOCS).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(DOCS.rglob("*.md"))}


def section(text: str, heading: str) -> str:
    """The text under `heading` (a whole line), up to the next heading of its level or above."""
    level = heading.split(" ", 1)[0]
    after = text.split(f"\n{heading}\n", 1)[1]
    ends = [match.start() for match in re.finditer(rf"^#{{1,{len(level)}}} ", after, re.M)]
    return after[: ends[0]] if ends else after


def code_blocks(text: str) -> list[str]:
    return re.findall(r"^```[a-z]*\n(.*?)^```", text, re.M | re.S)


def table_cells(text: str, column: int = 0) -> list[str]:
    """One column of the Markdown tables in `text`, header rows left out."""
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    cells = [re.split(r"(?<!\\) \| ", row.strip("| "))[column] for row in rows]
    return [cell for cell, row in zip(cells, rows, strict=True)
            if not re.match(r"^\|[-|]+\|$", row) and cell not in ("command", "variable",
                                                                    "metric", "kept")]


def nav_pages(entries: object) -> list[str]:
    """The pages mkdocs.yml's nav lists, depth first."""
    if isinstance(entries, str):
        return [entries]
    if isinstance(entries, list):
        return [name for entry in entries for name in nav_pages(entry)]
    if isinstance(entries, dict):
        return [name for value in entries.values() for name in nav_pages(value)]
    return []


class _MkDocsLoader(yaml.SafeLoader):
    """mkdocs.yml names Python objects (!!python/name:...); the nav needs none of them."""


_MkDocsLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *_: None)


def mkdocs_config() -> dict:
    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_MkDocsLoader)


# --- the examples are what the bot says ------------------------------------


def test_programme_titles_in_the_docs_are_real(packs):
    titles = {pack.title["en"] for pack in packs}
    example = page("using/coordinators.md")
    assert re.findall(r"Civic partnership: [a-z ]+[a-z]", example), "the example names a programme"
    for text in (README, *pages().values()):
        assert set(re.findall(r"Civic partnership: [a-z ]+[a-z]", text)) <= titles


def test_the_question_example_is_the_question_as_sent(catalog, packs):
    pack = packs["checklist-cso"]
    sent = visible_text(group_question(catalog, "en", pack, pack.item("cso-13"), answered=7))
    text = page("using/members.md")
    example = text.split("A question looks like this in the group:", 1)[1].split("\n\n- ")[0]
    quoted = [line.removeprefix(">").strip().replace("*", "") for line in example.splitlines()
              if line.startswith(">")]
    assert "\n".join(quoted).startswith(sent + "\n")


def test_the_content_check_example_is_the_output(monkeypatch, tmp_path, capsys):
    for name in ("CIVIC_REFLECT_CONTENT", "DEFAULT_LANGUAGE", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CIVIC_REFLECT_DB", str(tmp_path / "bot.sqlite3"))
    assert main(["content", "check"]) == 0
    out = capsys.readouterr().out
    block = page("running/cli.md").split("$ civic-reflect content check\n", 1)[1]
    assert block.split("```", 1)[0] == out


def test_the_run_line_example_is_what_run_says():
    said = f"civic-reflect: {running_line(Settings(port=8080))}"
    assert said in code_blocks(page("running/cli.md"))[0].splitlines()


# --- every setting, command and metric is on its page ----------------------


def test_every_setting_is_on_the_configuration_page():
    read = set(re.findall(r'env\.get\("([A-Z_]+)"', (ROOT / "bot/config.py").read_text()))
    assert {"TELEGRAM_BOT_TOKEN", "CIVIC_REFLECT_DB", "DATABASE_URL", "WEBHOOK_URL"} <= read
    table = section(page("running/configuration.md"), "## Settings")
    documented = re.findall(r"^\| `([A-Z_]+)` \|", table, re.M)
    assert len(documented) == len(set(documented))
    assert set(documented) == read


def test_every_command_is_on_the_commands_page_where_it_works():
    text = page("using/commands.md")
    for scope, heading in (("group", "## In a group"), ("private", "## In a private chat")):
        listed = set()
        for cell in table_cells(section(text, heading)):
            listed |= set(re.findall(r"`/([a-z]+)", cell))
        registered = {command.name for command in COMMANDS if command.allowed_in(scope)}
        assert listed == registered, scope


def test_the_readme_names_only_real_commands():
    table = section(README, "## Commands at a glance")
    named = set(re.findall(r"`/([a-z]+)", table))
    assert {"setup", "status", "ask", "mydata", "forget", "programme", "journal"} <= named
    assert named <= {command.name for command in COMMANDS}


def test_every_command_line_command_and_option_is_on_its_page():
    text = page("running/cli.md")
    table = "\n".join(line for line in text.splitlines() if line.startswith("| `civic-reflect"))
    commands = next(action for action in _parser()._actions
                    if action.dest == "command").choices
    assert {"run", "try", "content", "export", "backup", "migrate-db", "healthcheck"} <= set(
        commands)
    for name, parser in commands.items():
        options = [option for action in parser._actions for option in action.option_strings
                   if option.startswith("--") and option != "--help"]
        row = next((line for line in table.splitlines() if f"`civic-reflect {name}" in line), None)
        assert row is not None, f"civic-reflect {name} is not on the command-line page"
        for option in options:
            assert option in row, (name, option)
    # The sandbox's own page gives each of its options.
    sandbox = page("using/sandbox.md")
    for option in ("--port", "--host", "--db"):
        assert f"`{option} " in sandbox


def test_every_metric_is_on_the_health_page():
    exposed = set()
    for family in Metrics().registry.collect():
        exposed.add(family.name + ("_total" if family.type == "counter" else ""))
    assert "civic_reflect_leader" in exposed
    documented = {re.match(r"`(civic_reflect_[a-z0-9_]+)", cell).group(1)
                  for cell in table_cells(section(page("running/health.md"), "## `/metrics`"))}
    assert documented == exposed


def test_every_benchmark_has_its_page_with_its_command():
    scripts = sorted(path.name for path in (ROOT / "tests" / "bench").glob("*.py")
                     if not path.name.startswith("_"))
    assert "intake.py" in scripts
    benchmarks = "".join(text for name, text in pages().items() if name.startswith("benchmarks/"))
    for script in scripts:
        assert f"python tests/bench/{script}" in benchmarks, script


def test_the_promise_register_holds_the_table_start_is_matched_with():
    """tests/test_privacy_wording.py matches each row of this table with the
    words of /start: the heading, then the table at once, eleven rows."""
    text = page("how/promises.md")
    table = text.split("## What the bot keeps, and who sees it", 1)[1].split("\n\n", 2)[1]
    rows = [line for line in table.splitlines() if line.startswith("| ")][1:]  # no header
    assert len(rows) == 11


# --- what the pages point at exists -----------------------------------------


def test_every_test_the_docs_name_exists():
    named = set()
    for text in pages().values():
        named |= set(re.findall(r"(tests/[\w/]+\.py)::(test_\w+)", text))
    assert len(named) >= 40, "the promise register names the tests that hold each promise"
    for path, test in sorted(named):
        source = (ROOT / path).read_text(encoding="utf-8")
        defined = {node.name for node in ast.walk(ast.parse(source))
                   if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
        assert test in defined, f"{path}::{test}"


def test_every_path_the_docs_name_exists():
    paths = set()
    for text in (README, *pages().values()):
        for code in re.findall(r"`([^`\s]+)`", text):
            if re.match(r"^(bot|tests|content|deploy|docs)/[\w./-]*$", code):
                paths.add(code.rstrip("/"))
    assert "bot/store/upgrades.py" in paths
    missing = sorted(path for path in paths if not (ROOT / path).exists())
    assert missing == []


def test_the_readme_links_to_pages_that_exist():
    links = re.findall(r"\]\(((?!https?:|#)[^)#]+)(?:#[^)]*)?\)", README)
    assert "docs/how/promises.md" in links
    assert [link for link in links if not (ROOT / link).exists()] == []


# --- the site and the README -------------------------------------------------


def test_every_page_is_in_the_nav_and_every_nav_entry_is_a_page():
    nav = nav_pages(mkdocs_config()["nav"])
    assert len(nav) == len(set(nav))
    assert set(nav) == set(pages())


def test_the_readme_is_short():
    lines = README.count("\n")
    assert lines <= MOST_README_LINES, f"README.md has {lines} lines; details go in docs/"


def test_the_readme_test_command_is_what_ci_runs():
    block = code_blocks(section(README, "## Check that it works"))[0]
    command = next(line for line in block.splitlines() if "pytest" in line)
    command = command.removeprefix(".venv/bin/")
    ran = [line.strip() for line in CI.splitlines() if re.match(r"^\s*python -m pytest", line)]
    assert ran == [command]
    # The contributing page gives the same command for the full suite.
    given = [line.split("#", 1)[0].strip().removeprefix(".venv/bin/")
             for block in code_blocks(page("contributing/tests.md")) for line in block.splitlines()]
    assert command in given


def test_the_steps_the_contributing_page_lists_are_what_ci_runs_in_that_order():
    block = code_blocks(section(page("contributing/index.md"), "## Before you push"))[0]
    steps = [line for line in block.splitlines() if line.strip()]
    lines = [line.strip() for line in CI.splitlines()]
    found = [lines.index(step) for step in steps]
    assert found == sorted(found)
