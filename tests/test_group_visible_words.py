"""What the bot says in a group never names or counts out anyone (a promise:
the register's "Nobody named or counted out in the group").

Every catalog string that can be posted in a group is rendered here, in English
and in Spanish, with sample values. It fails on a person's name placeholder
(but for the few replies that address whoever sent the command, about their
own request), on a total of members or people (only how many took part, never
of how many), and on a second count.
"""

from __future__ import annotations

import re
import string

import pytest

from bot.content.locales import Catalog

# Sections whose strings are posted in groups (some of them also elsewhere).
GROUP_SECTIONS = ("summary", "question", "status", "nudge.group", "nudge.closes_on", "quiet.on",
                  "quiet.off", "forget.confirm", "forget.yes", "forget.no", "forget.kept",
                  "forget.done", "join.", "mydata.sent_privately", "mydata.needs_private",
                  "mydata.open_private", "weekly", "coordinators", "setup", "schedule",
                  "window", "quiethours", "pause", "resume", "skip", "partner", "partnership",
                  "unpartner", "agenda", "start.group", "help", "guard", "errors",
                  "actions", "designtests", "ask", "elsewhere", "timezone.changed", "when",
                  "joint")
# Only in the coordinators' digest, sent in a private chat.
COORDINATORS_ONLY = {"summary.participation.one", "summary.participation.other",
                     "summary.chat_members.one", "summary.chat_members.other"}
# Replies that address, by first name, whoever sent the command, about their own
# request; and the list of a group's coordinators (a role, not a silence).
MAY_NAME = {"join.done", "mydata.sent_privately", "mydata.needs_private",
            "weekly.digest_needs_private", "weekly.digest_sent", "weekly.export_needs_private",
            "weekly.export_sent", "coordinators.added", "coordinators.line",
            "coordinators.not_admin", "coordinators.removed", "coordinators.was_not"}
PERSON = {"name", "first_name"}
# A total of people: what "5 of 6" would be made of.
TOTALS = {"members", "chat_members", "people", "everyone", "silent", "missing"}
SAMPLE = {"count": 5, "position": 1, "total": 15, "min": 3, "hours": 72, "most": 168}


def placeholders(template: str) -> list[str]:
    return [field for _, field, _, _ in string.Formatter().parse(template) if field]


def group_visible(catalog: Catalog, language: str) -> dict[str, str]:
    table = catalog.table(language)
    return {key: text for key, text in table.items()
            if key.startswith(GROUP_SECTIONS) and key not in COORDINATORS_ONLY}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.mark.parametrize("language", ["en", "es"])
def test_group_words_name_and_count_out_nobody(catalog, language):
    strings = group_visible(catalog, language)
    assert len(strings) > 150 and "summary.took_part.other" in strings
    problems = []
    for key, template in sorted(strings.items()):
        fields = placeholders(template)
        if PERSON & set(fields) and key not in MAY_NAME:
            problems.append(f"{key} names a person")
        if TOTALS & set(fields):
            problems.append(f"{key} gives a total")
        if fields.count("count") > 1 or len({"count", "answered"} & set(fields)) > 1:
            problems.append(f"{key} gives a second count")
        text = template.format(**{field: SAMPLE.get(field, "X") for field in fields})
        # "5 of 12", "5 de las 12": a count against a whole (question numbers aside).
        if "count" in fields and re.search(r"\b5\b\D{1,12}\b\d+\b", text):
            problems.append(f"{key} sets its count against another number: {text!r}")
    assert problems == []


def test_the_check_can_fail():
    assert placeholders("🗣 {count} of the {members} members") == ["count", "members"]
    assert TOTALS & set(placeholders("{count} of the {members}"))
    assert PERSON & set(placeholders("Understood, {name}: no reminders"))
    template = "🗣 {count} de las {people_here} personas"
    text = template.format(count=5, people_here=12)
    assert re.search(r"\b5\b\D{1,12}\b\d+\b", text)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_coordinators_totals_never_go_to_a_group(catalog, language):
    """The totals exist, for the digest; nothing group-visible carries them."""
    table = catalog.table(language)
    assert set(table) >= COORDINATORS_ONLY
    for key in COORDINATORS_ONLY:
        assert key not in group_visible(catalog, language)
