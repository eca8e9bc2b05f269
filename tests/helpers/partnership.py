"""A council group and civil-society groups that follow the checklist, and
the steps partnership tests share: setting up a side, linking, answering."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.sandbox.telegram import check_telegram_html, visible_text

from helpers.group import bot_message, press

COUNCIL_ID, CSO_ID, HILL_ID, VALLEY_ID, OTHER_ID = -100500, -100300, -100700, -100800, -100900
_CODE = re.compile(r"<code>([A-Z0-9]{4}-[A-Z0-9]{4})</code>")


@dataclass
class Team:
    """A group, its admin (who runs /setup, so a coordinator) and members."""

    chat: dict
    admin: dict
    members: list[dict]  # not admins

    @property
    def id(self) -> int:
        return self.chat["id"]

    @property
    def everyone(self) -> list[dict]:
        return [self.admin, *self.members]


def make_team(harness, chat_id: int, title: str, first_user: int, names: list[str],
              language_code: str = "en") -> Team:
    u = harness.updates
    people = [u.user(first_user + n, name, language_code=language_code)
              for n, name in enumerate(names)]
    team = Team(u.group_chat(chat_id, title), people[0], people[1:])
    harness.telegram.set_chat_member(chat_id, team.admin, "administrator")
    for person in team.members:
        harness.telegram.set_chat_member(chat_id, person, "member")
    return team


def council(harness) -> Team:
    return make_team(harness, COUNCIL_ID, "Riverside Council", 801,
                     ["Olga", "Pablo", "Quinn", "Rui", "Sara", "Tomas"])


def riverside_cso(harness) -> Team:
    return make_team(harness, CSO_ID, "Riverside CSO", 601,
                     ["Ana", "Bruno", "Carla", "Dev", "Eli"])


def hillside(harness) -> Team:
    return make_team(harness, HILL_ID, "Red de Hillside", 901,
                     ["Hugo", "Inés", "Jon", "Kai"], language_code="es")


def valley(harness) -> Team:
    return make_team(harness, VALLEY_ID, "Valley Voices", 951, ["Vera", "Wim", "Xan"])


async def set_up(harness, team: Team, side: str | None, *, language: str = "en",
                 pack: str | None = None) -> str:
    """The admin adds the bot and runs /setup: the checklist on `side`
    ("la" or "cso"), or another `pack`; weekly on Wednesdays at 09:00 in
    Madrid. Returns the confirmation's text."""
    u = harness.updates
    await harness.send(u.bot_added(team.chat, team.admin))
    await harness.send(u.command(team.chat, team.admin, "/setup"))
    wizard = bot_message(harness, team.id)
    choices = [("p", "checklist"), ("side", f"checklist-{side}")] if side else [("p", pack)]
    choices += [("c", "weekly"), ("d", "wed"), ("t", "09:00"), ("z", "Europe/Madrid"),
                ("l", language), ("n", "counts")]
    for step, value in choices:
        answer = await press(harness, team.chat, team.admin, wizard, f"1|s|{step}|{value}")
        assert "text" not in answer, (step, value, answer)
    return visible_text(harness.telegram.message(team.id, wizard["message_id"])["text"])


def texts(harness, chat_id: int) -> list[str]:
    """Every message the bot sent to a chat, as people read them."""
    return [visible_text(call.params["text"])
            for call in harness.telegram.calls_to("sendMessage", chat_id=chat_id) if call.ok]


def last(harness, chat_id: int) -> str:
    return texts(harness, chat_id)[-1]


async def command(harness, team: Team, text: str, person: dict | None = None) -> str:
    """A command in the team's group; the bot's last message there after it."""
    await harness.send(harness.updates.command(team.chat, person or team.admin, text))
    return last(harness, team.id)


async def new_code(harness, team: Team) -> str:
    await harness.send(harness.updates.command(team.chat, team.admin, "/partner"))
    sent = harness.telegram.last("sendMessage", chat_id=team.id).params["text"]
    found = _CODE.search(sent)
    assert found, sent
    return found.group(1)


async def link(harness, issuer: Team, redeemer: Team) -> None:
    code = await new_code(harness, issuer)
    await harness.send(harness.updates.command(redeemer.chat, redeemer.admin, f"/partner {code}"))


async def ask_and_rate(harness, team: Team, ratings: dict[str, int]) -> int:
    """/ask the team's next question; each named person taps a rating in the
    group. Returns the question's prompt id."""
    await harness.send(harness.updates.command(team.chat, team.admin, "/ask"))
    prompt = (await harness.store.prompts.list_for_chat(team.id))[-1]
    message = harness.telegram.message(team.id, prompt.message_id)
    by_name = {person["first_name"]: person for person in team.everyone}
    for name, value in ratings.items():
        answer = await press(harness, team.chat, by_name[name], message,
                             f"1|r|{prompt.id}|{value}")
        assert answer.get("text", "").startswith(("Saved", "¡Guardado", "Guardado")), answer
    return prompt.id


async def linked_pair(harness) -> tuple[Team, Team]:
    """Riverside Council and Riverside CSO, set up and linked."""
    town, cso = council(harness), riverside_cso(harness)
    await set_up(harness, town, "la")
    await set_up(harness, cso, "cso")
    await link(harness, town, cso)
    return town, cso


async def show(harness, team: Team, text: str = "/partnership") -> list[str]:
    """The messages a /partnership in the group brought, every one valid HTML."""
    before = len(harness.telegram.calls_to("sendMessage", chat_id=team.id))
    await harness.send(harness.updates.command(team.chat, team.admin, text))
    calls = harness.telegram.calls_to("sendMessage", chat_id=team.id)[before:]
    for call in calls:
        assert check_telegram_html(call.params["text"]) == []
    return [visible_text(call.params["text"]) for call in calls]
