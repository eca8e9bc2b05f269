"""callback_data: short, versioned strings, encoded and decoded only here.

Format: "<version>|<kind>|<field>|<field>...". Decoding checks the version,
the kind and every field's shape, and every number's range (an id fits
the database's signed 64-bit integers; a page, its own bound); anything
else is `None`, which handlers answer with a polite "this button is no
longer valid", like any stale button. What a decoded
button refers to (a prompt, a setup draft) is then re-checked against the
database: the data says what was pressed, never what is allowed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

VERSION = "1"
_MAX_BYTES = 64
_TOKEN = re.compile(r"[A-Za-z0-9_:/+.-]{1,40}")
# Ids are stored as signed 64-bit integers (SQLite's INTEGER, PostgreSQL's
# BIGINT): a bigger number is no row of ours, and would fail in the driver.
MAX_ID = 2**63 - 1
# A journal page far past any journal (ten entries a page), small enough that
# its offset stays a modest number.
MAX_PAGE = 100_000
# The checklist's pairs (bot/domain/partnership.py; the schema checks it too).
MAX_PAIR = 15


@dataclass(frozen=True)
class Rate:
    """A tap on the scale under a question; value 0 means "skip"."""

    prompt_id: int
    value: int


@dataclass(frozen=True)
class Quote:
    """Allow, or stop allowing, one's comment to be quoted in the summary. The
    button carries the state it sets, so a press delivered twice acts once."""

    prompt_id: int
    allow: bool


@dataclass(frozen=True)
class SetupChoice:
    """One answer in the /setup wizard."""

    step: str
    value: str


@dataclass(frozen=True)
class ForgetConfirm:
    """Confirming /forget in a group; only the person who asked may confirm."""

    user_id: int
    confirmed: bool


@dataclass(frozen=True)
class Journal:
    """A page of one's journal (1 is the newest), optionally one programme's."""

    page: int
    pack_id: str | None


@dataclass(frozen=True)
class Explain:
    """"What does this mean?" under a question: its glossary, to the tapper alone."""

    prompt_id: int


@dataclass(frozen=True)
class Unpartner:
    """/unpartner's buttons: pick a partnership (`step` "pick"), end it
    ("end"), or keep it ("keep"; no partnership for "keep them all")."""

    partnership_id: int | None
    step: str


@dataclass(frozen=True)
class PartnershipView:
    """Show one partnership to a coordinator in private, from the side of
    `viewer` ("la" or "cso"); `agenda`: the joint-meeting agenda instead."""

    partnership_id: int
    viewer: str
    agenda: bool


@dataclass(frozen=True)
class ActionChoice:
    """A button under an action in its group: take it on ("vol"), step back
    ("back"), or a by-when choice ("w1", "w2", "m1"). Each sets a state, so
    a press delivered twice acts once."""

    action_id: int
    choice: str


@dataclass(frozen=True)
class CheckIn:
    """An owner's answer to a check-in, in private: "done", "way" (on the
    way), "stuck" or "go" (let it go)."""

    action_id: int
    answer: str


@dataclass(frozen=True)
class NoteShare:
    """Share one's check-in note with the coordinators, or keep it private."""

    action_id: int
    shared: bool


@dataclass(frozen=True)
class DesignAsk:
    """"Design tests" under an action: a coordinator puts the plan to the
    five design tests (anyone may press; the database says who may ask)."""

    action_id: int


@dataclass(frozen=True)
class DesignRate:
    """A member's rating of a plan on one design test, 1 to 5. The button
    carries the value it sets, so a press delivered twice acts once."""

    action_id: int
    test: str
    value: int


@dataclass(frozen=True)
class DesignProfile:
    """"Show the profile" under the design tests: posted by a coordinator."""

    action_id: int


@dataclass(frozen=True)
class Commit:
    """The offer under a personal answer: make it a commitment with a
    check-in "d3", "w1" or "w2" from now, or "no" thanks. Each sets a
    state, so a press delivered twice acts once."""

    prompt_id: int
    choice: str


@dataclass(frozen=True)
class JointPropose:
    """"Joint action" beside a pair of the partnership agenda, from the side
    of `viewer` ("la" or "cso"); the database says whether the partnership
    still stands and whether the presser coordinates that side."""

    partnership_id: int
    viewer: str
    pair: int


UNPARTNER_STEPS = ("pick", "end", "keep")
# The design tests' keys (bot/domain/design_tests.py TESTS; a test checks).
DESIGN_TESTS = ("dem", "eco", "soc", "wel", "lnk")
ACTION_CHOICES = ("vol", "back", "w1", "w2", "m1")
CHECKIN_ANSWERS = ("done", "way", "stuck", "go")
# bot/domain/commitments.py OFFER_CHOICES (a test checks).
COMMIT_CHOICES = ("d3", "w1", "w2", "no")

Callback = (Rate | Quote | SetupChoice | ForgetConfirm | Journal | Explain | Unpartner
            | PartnershipView | ActionChoice | CheckIn | NoteShare | DesignAsk | DesignRate
            | DesignProfile | Commit | JointPropose)


def encode(callback: Callback) -> str:
    match callback:
        case Rate(prompt_id, value):
            parts = ["r", str(prompt_id), str(value)]
        case Quote(prompt_id, allow):
            parts = ["q", str(prompt_id), "1" if allow else "0"]
        case SetupChoice(step, value):
            parts = ["s", step, value]
        case ForgetConfirm(user_id, confirmed):
            parts = ["f", str(user_id), "1" if confirmed else "0"]
        case Journal(page, pack_id):
            parts = ["j", str(page), pack_id or "-"]
        case Explain(prompt_id):
            parts = ["g", str(prompt_id)]
        case Unpartner(partnership_id, step):
            parts = ["u", "-" if partnership_id is None else str(partnership_id), step]
        case PartnershipView(partnership_id, viewer, agenda):
            parts = ["v", str(partnership_id), viewer, "1" if agenda else "0"]
        case ActionChoice(action_id, choice):
            parts = ["a", str(action_id), choice]
        case CheckIn(action_id, answer):
            parts = ["c", str(action_id), answer]
        case NoteShare(action_id, shared):
            parts = ["n", str(action_id), "1" if shared else "0"]
        case DesignAsk(action_id):
            parts = ["t", str(action_id)]
        case DesignRate(action_id, test, value):
            parts = ["d", str(action_id), test, str(value)]
        case DesignProfile(action_id):
            parts = ["p", str(action_id)]
        case Commit(prompt_id, choice):
            parts = ["m", str(prompt_id), choice]
        case JointPropose(partnership_id, viewer, pair):
            parts = ["ja", str(partnership_id), viewer, str(pair)]
        case _:
            raise TypeError(f"not a callback: {callback!r}")
    data = "|".join([VERSION, *parts])
    # Only what decodes back to the same thing may go on a button.
    if decode(data) != callback:
        raise ValueError(f"callback data {data!r} is too long or has a bad field")
    return data


# PTB asks every button handler whether a press is its own: each asks here,
# so a press is decoded once, not once per handler (the results are frozen).
@functools.lru_cache(maxsize=4096)
def decode(data: str | None) -> Callback | None:
    if not data or len(data.encode()) > _MAX_BYTES:
        return None
    version, _, rest = data.partition("|")
    if version != VERSION:
        return None
    kind, *fields = rest.split("|")
    if not all(_TOKEN.fullmatch(field) for field in fields):
        return None
    try:
        match kind, fields:
            case "r", [prompt_id, ("0" | "1" | "2" | "3" | "4" | "5") as value]:
                return Rate(_id(prompt_id), int(value))
            case "q", [prompt_id, ("0" | "1") as allow]:
                return Quote(_id(prompt_id), allow == "1")
            case "q", [prompt_id]:
                # Buttons sent before the state was carried said "Quote me".
                return Quote(_id(prompt_id), True)
            case "s", [step, value]:
                return SetupChoice(step, value)
            case "f", [user_id, ("0" | "1") as confirmed]:
                return ForgetConfirm(_id(user_id), confirmed == "1")
            case "j", [page, pack_id]:
                return Journal(_number(page, MAX_PAGE), None if pack_id == "-" else pack_id)
            case "g", [prompt_id]:
                return Explain(_id(prompt_id))
            case "u", ["-", "keep"]:
                return Unpartner(None, "keep")
            case "u", [partnership_id, step] if step in UNPARTNER_STEPS:
                return Unpartner(_id(partnership_id), step)
            case "v", [partnership_id, ("la" | "cso") as viewer, ("0" | "1") as agenda]:
                return PartnershipView(_id(partnership_id), viewer, agenda == "1")
            case "a", [action_id, choice] if choice in ACTION_CHOICES:
                return ActionChoice(_id(action_id), choice)
            case "c", [action_id, answer] if answer in CHECKIN_ANSWERS:
                return CheckIn(_id(action_id), answer)
            case "n", [action_id, ("0" | "1") as shared]:
                return NoteShare(_id(action_id), shared == "1")
            case "t", [action_id]:
                return DesignAsk(_id(action_id))
            case "d", [action_id, test, ("1" | "2" | "3" | "4" | "5") as value] if (
                    test in DESIGN_TESTS):
                return DesignRate(_id(action_id), test, int(value))
            case "p", [action_id]:
                return DesignProfile(_id(action_id))
            case "m", [prompt_id, choice] if choice in COMMIT_CHOICES:
                return Commit(_id(prompt_id), choice)
            case "ja", [partnership_id, ("la" | "cso") as viewer, pair]:
                return JointPropose(_id(partnership_id), viewer, _number(pair, MAX_PAIR))
    except ValueError:
        return None
    return None


def _id(text: str) -> int:
    return _number(text, MAX_ID)


def _number(text: str, most: int) -> int:
    """A whole number from 1 to `most`, written plainly (no sign, no leading
    zero); ValueError otherwise. The length is checked before int() reads it."""
    if not text.isascii() or not text.isdigit() or len(text) > len(str(most)):
        raise ValueError(text)
    number = int(text)
    if not 1 <= number <= most or str(number) != text:
        raise ValueError(text)
    return number
