"""The command line, as a person runs it: exit codes, one-line errors, export, backup."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.content.packs import load_library, summary_rows
from bot.render.export import HELD_BACK
from bot.store import Store
from bot.store.upgrades import UPGRADES

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
SECRET = "AAH" + "abcdefghijklmnopqrstuvwxyz_-0123"
NO_TOKEN = (
    "civic-reflect: TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and run "
    "`export TELEGRAM_BOT_TOKEN=<the token it gives you>`\n"
)
MALFORMED = (
    "civic-reflect: TELEGRAM_BOT_TOKEN is malformed: it should look like 123456789:AAH... "
    "(copy it again from @BotFather, without quotes or spaces)\n"
)
_SETTINGS = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "CIVIC_REFLECT_CONTENT",
             "DEFAULT_TIMEZONE", "DEFAULT_LANGUAGE", "LOG_LEVEL", "DATABASE_URL", "WEBHOOK_URL",
             "WEBHOOK_SECRET", "PORT", "LISTEN", "REPLICAS")

CHAT = -1001234567890
ANA, BRUNO, ROSA = 111, 222, 333
FORMULA = "=1+1"
RICH = "<b>Bold</b> & <i>ideas</i> 🌱🤝\nsecond line"
COLUMNS = [
    "asked_at", "programme", "item", "question", "member", "rating", "skipped", "comment",
    "voice_file_id", "answered", "may_quote", "answered_at", "edited_at",
]  # fmt: skip


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "civic.sqlite3"


@pytest.fixture
def env(db) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if k not in _SETTINGS}
    environ["CIVIC_REFLECT_DB"] = str(db)
    return environ


@pytest.fixture
def inproc_env(monkeypatch, db) -> Path:
    for name in _SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CIVIC_REFLECT_DB", str(db))
    return db


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m bot ...` as a process of its own: the tests that run it are
    marked slow (`-m "not slow"` leaves them out; the in-process ones stay)."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=REPO, env=env, capture_output=True,
        text=True, encoding="utf-8", timeout=120, check=False,
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# --- run -----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("args", [("run",), ()], ids=["run", "bare"])
def test_run_without_token_exits_2_with_one_line(env, args):
    result = cli(*args, env=env)
    assert result.returncode == 2
    assert result.stderr == NO_TOKEN
    assert one_error_line(result).startswith("civic-reflect: TELEGRAM_BOT_TOKEN is not set")
    assert result.stdout == ""


@pytest.mark.slow
@pytest.mark.parametrize("token", [f'"123456789:{SECRET}"', f"123456789 {SECRET}"])
def test_run_with_malformed_token_exits_2_without_printing_it(env, token):
    env["TELEGRAM_BOT_TOKEN"] = token
    result = cli("run", env=env)
    assert result.returncode == 2
    assert result.stderr == MALFORMED
    assert SECRET not in result.stderr + result.stdout


@pytest.mark.slow
def test_bad_setting_exits_2_before_any_command(env):
    env["DEFAULT_TIMEZONE"] = "Mars/Olympus_Mons"
    result = cli("content", "check", env=env)
    assert result.returncode == 2
    assert one_error_line(result) == (
        "civic-reflect: DEFAULT_TIMEZONE='Mars/Olympus_Mons' is not an IANA time zone "
        "(try Europe/London or UTC)"
    )


@pytest.mark.parametrize("argv", [["run"], []], ids=["run", "bare"])
def test_run_in_process_without_token(inproc_env, capsys, argv):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err == NO_TOKEN
    assert captured.out == ""


# --- content check ---------------------------------------------------------------


@pytest.mark.slow
def test_content_check_lists_every_pack(env):
    result = cli("content", "check", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["pack", "audience", "items", "languages"]
    rows = [tuple(line.split()) for line in lines[1:-1]]
    library = load_library(CONTENT)
    assert rows == [(p, a, str(n), lang) for p, a, n, lang in summary_rows(library)]
    assert len(rows) == 8
    assert rows[0] == ("checklist-la", "both", "15", "en,es")
    assert rows[1] == ("checklist-cso", "both", "15", "en,es")
    assert {row[3] for row in rows} == {"en,es"}
    total = sum(len(pack.items) for pack in library)
    assert lines[-1] == f"8 packs, {total} items, {len(library.glossary)} glossary terms: all valid"
    assert len(library.glossary) >= 10


def test_content_check_in_process(inproc_env, capsys):
    assert main(["content", "check"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "checklist-la         both      15     en,es"
    assert out[2] == "checklist-cso        both      15     en,es"
    assert len(out) == 10


@pytest.mark.slow
def test_content_check_warns_of_a_pack_without_spanish(env, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    walk = (content / "well-being.toml").read_text(encoding="utf-8")
    english_only = "\n".join(line for line in walk.splitlines() if not line.startswith("es = "))
    (content / "well-being.toml").write_text(
        english_only.replace('languages = ["en", "es"]', 'languages = ["en"]'), encoding="utf-8")
    result = cli("content", "check", env={**env, "CIVIC_REFLECT_CONTENT": str(content)})
    assert result.returncode == 0, result.stderr
    assert "well-being           personal  5      en\n" in result.stdout
    assert result.stderr == "warning: well-being has no es text: es chats will read it in en\n"


@pytest.mark.slow
def test_content_check_refuses_a_broken_glossary(env, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    glossary = (content / "glossary.toml").read_text(encoding="utf-8")
    (content / "glossary.toml").write_text(glossary.replace('es = "OSC"\n', ""), encoding="utf-8")
    result = cli("content", "check", env={**env, "CIVIC_REFLECT_CONTENT": str(content)})
    assert result.returncode == 1
    assert result.stderr == "civic-reflect: glossary.toml, term cso: term has no text in es\n"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('schema = 1\nid = "oops"\n', "broken.toml: id 'oops' must equal the file name 'broken'"),
        ('schema = 1\nid = "broken\n', "broken.toml: not valid TOML ("),
    ],
    ids=["wrong-id", "invalid-toml"],
)
def test_content_check_with_a_broken_pack(env, tmp_path, text, message):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "broken.toml").write_text(text, encoding="utf-8")
    env["CIVIC_REFLECT_CONTENT"] = str(content)
    result = cli("content", "check", env=env)
    assert result.returncode == 1
    assert one_error_line(result).startswith(f"civic-reflect: {message}")
    assert result.stdout == ""


# --- export ------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def at(self, day: int, hour: int, minute: int = 0) -> None:
        self.now = datetime(2024, 3, day, hour, minute, tzinfo=UTC)


async def _build(path: Path) -> None:
    clock = Clock()
    store = await Store.open(path, clock)
    try:
        await store.chats.ensure(CHAT, kind="group", title="Forum", timezone="UTC",
                                 language="en")
        await store.members.seen(CHAT, ANA, "Ana García")
        await store.members.seen(CHAT, BRUNO, "Bruno Díaz")
        enrolment = await store.enrolments.start(
            CHAT, "checklist-la", cadence="weekly", days=["mon"], local_time="09:00",
            next_due_at=None,
        )
        clock.at(4, 9)
        first, _ = await store.prompts.open(enrolment.id, "2024-03-04", chat_id=CHAT,
                                            pack_id="checklist-la", item_id="la-01")
        clock.at(4, 9, 5)
        await store.answers.record(first.id, BRUNO, scale=4, text=FORMULA, quotable=True)
        clock.at(4, 9, 10)
        await store.answers.record(first.id, ANA, scale=2, text=RICH)
        clock.at(5, 10)
        await store.answers.record(first.id, ANA, scale=3)
        clock.at(11, 9)
        second, _ = await store.prompts.open(enrolment.id, "2024-03-11", chat_id=CHAT,
                                             pack_id="checklist-la", item_id="la-02")
        clock.at(11, 9, 20)
        await store.answers.record(second.id, ANA, scale=5, text="Said in private",
                                   visibility="private")
        clock.at(11, 9, 30)
        await store.answers.record(second.id, BRUNO, skipped=True)
    finally:
        await store.close()


async def _show_names(path: Path) -> None:
    store = await Store.open(path)
    try:
        chat = await store.chats.update(CHAT, names_visible=True)
        assert chat.names_visible is True
    finally:
        await store.close()


@pytest.fixture
def filled(db) -> Path:
    asyncio.run(_build(db))
    return db


def expected(names: bool) -> list[dict[str, object]]:
    la = load_library(CONTENT)["checklist-la"]
    q1, q2 = la.item("la-01").text_in("en"), la.item("la-02").text_in("en")
    bruno = "Bruno Díaz" if names else "member 1"
    ana = "Ana García" if names else "member 2"
    base = {"programme": "checklist-la", "voice_file_id": None, "skipped": False,
            "answered": "in the group", "may_quote": False, "edited_at": None}
    return [
        {**base, "asked_at": "2024-03-04T09:00:00Z", "item": "1", "question": q1,
         "member": bruno, "rating": 4, "comment": FORMULA, "may_quote": True,
         "answered_at": "2024-03-04T09:05:00Z"},
        {**base, "asked_at": "2024-03-04T09:00:00Z", "item": "1", "question": q1,
         "member": ana, "rating": 3, "comment": RICH, "answered_at": "2024-03-04T09:10:00Z",
         "edited_at": "2024-03-05T10:00:00Z"},
        # Ana alone answered this one privately: no name, no number, nothing of
        # what she said or when (the promise she was given).
        {**base, "asked_at": "2024-03-11T09:00:00Z", "item": "2", "question": q2,
         "member": "private", "rating": None, "skipped": None, "comment": None,
         "answered": HELD_BACK, "answered_at": None},
        {**base, "asked_at": "2024-03-11T09:00:00Z", "item": "2", "question": q2,
         "member": bruno, "rating": None, "skipped": True, "comment": None,
         "answered_at": "2024-03-11T09:30:00Z"},
    ]


def as_csv_cells(record: dict[str, object]) -> dict[str, str]:
    cells = {}
    for key, value in record.items():
        if value is None:
            cells[key] = ""
        elif isinstance(value, bool):
            cells[key] = "yes" if value else "no"
        else:
            cells[key] = str(value)
    return cells


@pytest.mark.slow
@pytest.mark.parametrize("names", [False, True], ids=["pseudonyms", "names"])
def test_export_json(env, filled, names):
    if names:
        asyncio.run(_show_names(filled))
    result = cli("export", "--chat", str(CHAT), "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    records = json.loads(result.stdout)
    assert records == expected(names)
    assert [list(record) for record in records] == [COLUMNS] * 4
    assert "🌱🤝" in result.stdout  # written as is, not as \\u escapes


@pytest.mark.slow
@pytest.mark.parametrize(
    ("names", "fmt"), [(False, ["--format", "csv"]), (True, ["--format", "csv"]), (False, [])],
    ids=["pseudonyms", "names", "csv-is-the-default"],
)
def test_export_csv(env, filled, names, fmt):
    if names:
        asyncio.run(_show_names(filled))
    result = cli("export", "--chat", str(CHAT), *fmt, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == ",".join(COLUMNS)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    wanted = [as_csv_cells(record) for record in expected(names)]
    wanted[0]["comment"] = "'" + FORMULA  # a spreadsheet must not run it
    assert rows == wanted
    assert [row["member"] for row in rows] == (
        ["Bruno Díaz", "Ana García", "private", "Bruno Díaz"] if names
        else ["member 1", "member 2", "private", "member 1"]
    )
    assert "Said in private" not in result.stdout
    assert ("Ana García" in result.stdout) is names
    assert ("Bruno Díaz" in result.stdout) is names


@pytest.mark.slow
def test_export_unknown_chat(env, filled, db):
    result = cli("export", "--chat", "999", "--format", "json", env=env)
    assert result.returncode == 1
    assert one_error_line(result) == f"civic-reflect: no chat with id 999 in {db}"
    assert result.stdout == ""


@pytest.mark.slow
def test_export_refuses_a_persons_private_chat(env, filled, db):
    asyncio.run(_private_journal(db))
    before = db.read_bytes()
    result = cli("export", "--chat", str(ROSA), "--format", "json", env=env)
    assert result.returncode == 1
    assert one_error_line(result) == (
        f"civic-reflect: chat {ROSA} is a person's private chat; only they can export their "
        "journal, with /export in their chat with the bot")
    assert result.stdout == ""
    assert "journal entry" not in result.stderr
    assert db.read_bytes() == before


async def _private_journal(path: Path) -> None:
    store = await Store.open(path, Clock())
    try:
        await store.chats.ensure(ROSA, kind="private", title=None, timezone="UTC",
                                 language="en")
        enrolment = await store.enrolments.start(
            ROSA, "theory-u", cadence="daily", days=[], local_time="09:00", next_due_at=None)
        prompt, _ = await store.prompts.open(enrolment.id, "2024-03-04", chat_id=ROSA,
                                             pack_id="theory-u", item_id="u-01")
        await store.answers.record(prompt.id, ROSA, text="my journal entry",
                                   visibility="private")
    finally:
        await store.close()


@pytest.mark.slow
def test_export_of_a_database_newer_than_the_code_says_so(env, filled, db):
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO schema_version VALUES (999, 'future', 'x')")
    conn.commit()
    conn.close()
    result = cli("export", "--chat", str(CHAT), env=env)
    assert result.returncode == 2
    assert "schema version 999, newer than this version of civic-reflect" in one_error_line(
        result)


@pytest.mark.slow
def test_export_without_database(env, db):
    result = cli("export", "--chat", str(CHAT), env=env)
    assert result.returncode == 1
    assert one_error_line(result) == f"civic-reflect: no database at {db} (set CIVIC_REFLECT_DB)"
    assert not db.exists()


@pytest.mark.parametrize("file_format", ["json", "csv"])
def test_export_to_a_file_in_process(inproc_env, filled, tmp_path, capsys, file_format):
    out = tmp_path / f"answers.{file_format}"
    argv = ["export", "--chat", str(CHAT), "--format", file_format, "--output", str(out)]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"wrote 4 answers to {out}\n"
    text = out.read_text(encoding="utf-8")
    if file_format == "json":
        assert json.loads(text) == expected(False)
    else:
        rows = list(csv.DictReader(io.StringIO(text)))
        # Ana's lone private answer is left blank.
        assert [row["comment"] for row in rows] == ["'" + FORMULA, RICH, "", ""]


# --- backup ------------------------------------------------------------------------


ROWS = {"answers": 4, "answer_edits": 1, "prompts": 2, "members": 2, "chats": 1,
        "enrolments": 1}


def inspect(path: Path) -> dict[str, int]:
    """Check a database file is sound and of the latest schema; count its rows."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        latest = max(step.version for step in UPGRADES)
        assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == latest
        counts = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ROWS}
        return {**counts, "pages": conn.execute("PRAGMA page_count").fetchone()[0]}
    finally:
        conn.close()


@pytest.mark.slow
def test_backup_copies_every_row(env, filled, tmp_path, db):
    target = tmp_path / "copy.sqlite3"
    result = cli("backup", str(target), env=env)
    assert result.returncode == 0, result.stderr
    copy = inspect(target)
    assert result.stdout == f"backed up {db} to {target} ({copy.pop('pages')} pages)\n"
    assert copy == ROWS
    assert {k: v for k, v in inspect(db).items() if k != "pages"} == ROWS


@pytest.mark.slow
def test_backup_while_another_connection_writes_in_wal_mode(env, filled, tmp_path, db):
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        assert holder.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        holder.execute("INSERT INTO answers (prompt_id, user_id, scale, created_at)"
                       " VALUES (2, 333, 1, '2024-03-12T00:00:00Z')")
        assert Path(f"{db}-wal").stat().st_size > 0
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("INSERT INTO answers (prompt_id, user_id, scale, created_at)"
                       " VALUES (2, 444, 1, '2024-03-12T00:00:00Z')")
        target = tmp_path / "copy.sqlite3"
        result = cli("backup", str(target), env=env)
        holder.execute("ROLLBACK")
    finally:
        holder.close()
    assert result.returncode == 0, result.stderr
    assert inspect(target)["answers"] == 5
    conn = sqlite3.connect(target)
    try:
        users = [row[0] for row in conn.execute("SELECT user_id FROM answers ORDER BY id")]
    finally:
        conn.close()
    assert users == [BRUNO, ANA, ANA, BRUNO, 333]  # committed yes, uncommitted no


@pytest.mark.slow
def test_backup_refuses_to_overwrite(env, filled, tmp_path):
    target = tmp_path / "copy.sqlite3"
    target.write_bytes(b"keep me")
    result = cli("backup", str(target), env=env)
    assert result.returncode == 1
    assert one_error_line(result) == (
        f"civic-reflect: {target} already exists; choose a new file name"
    )
    assert target.read_bytes() == b"keep me"
    assert result.stdout == ""


@pytest.mark.slow
def test_backup_without_database(env, tmp_path, db):
    target = tmp_path / "copy.sqlite3"
    result = cli("backup", str(target), env=env)
    assert result.returncode == 1
    assert one_error_line(result) == f"civic-reflect: no database at {db}"
    assert not target.exists()
    assert not db.exists()


def test_backup_in_process(inproc_env, filled, tmp_path, capsys):
    target = tmp_path / "copy.sqlite3"
    assert main(["backup", str(target)]) == 0
    assert capsys.readouterr().out.startswith(f"backed up {filled} to {target} (")
    assert inspect(target)["answers"] == 4
    assert main(["backup", str(target)]) == 1
    assert capsys.readouterr().err == (
        f"civic-reflect: {target} already exists; choose a new file name\n"
    )


@pytest.mark.slow
def test_backup_into_a_missing_directory_is_one_line(env, filled, tmp_path):
    result = cli("backup", str(tmp_path / "missing" / "copy.sqlite3"), env=env)
    assert result.returncode == 1
    assert one_error_line(result).startswith("civic-reflect: ")
