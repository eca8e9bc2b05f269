"""The Bot API reference as a validator for the requests the bot sends.

Loaded once from bot/sandbox/data/telegram-bot-api.json (package data: a structured copy of the
official reference).
``BotApiSpec.validate(method, params)`` returns human-readable problems: unknown method,
missing/unknown fields, wrong JSON types (recursively through nested objects, arrays and
subtype unions) and the limits the reference only states in prose (see prose.py).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .prose import (
    FieldRules,
    OneOfRule,
    accepts_plain_string,
    check_rules,
    field_rules,
    one_of_rule,
)

SPEC_PATH = Path(__file__).resolve().parent.parent / "data" / "telegram-bot-api.json"

# Marks a parameter whose value travels as a multipart file part (PTB leaves such parameters
# out of RequestData.parameters and sends the bytes under the parameter's name).
UPLOADED = "<uploaded file>"
ATTACH_PREFIX = "attach://"

# "always "emoji"" / "must be emoji": the value a subtype's discriminator field must carry.
_CONSTANT = re.compile(r'(?:always "([\w-]+)"|must be ([a-z0-9_]+))\s*$')


@dataclass(frozen=True)
class Field:
    name: str
    types: tuple[str, ...]
    required: bool
    description: str
    rules: FieldRules


@dataclass(frozen=True)
class ObjectType:
    name: str
    description: str
    fields: dict[str, Field] = field(default_factory=dict)
    subtypes: tuple[str, ...] = ()
    constants: dict[str, str] = field(default_factory=dict)
    one_of: OneOfRule | None = None
    accepts_string: bool = False


def json_kind(value: Any) -> str:
    """JSON name of a Python value, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {value!r}"
    if isinstance(value, int):
        return f"integer {value!r}"
    if isinstance(value, float):
        return f"float {value!r}"
    if isinstance(value, str):
        return f"string {value[:40]!r}"
    if isinstance(value, list):
        return "array"
    return "object"


def _fields(owner: str, raw: Iterable[Mapping[str, Any]]) -> dict[str, Field]:
    return {
        f["name"]: Field(
            name=f["name"],
            types=tuple(f["types"]),
            required=bool(f["required"]),
            description=f.get("description", ""),
            rules=field_rules(owner, f["name"], f.get("description", "")),
        )
        for f in raw
    }


class BotApiSpec:
    """Methods and types of the Bot API reference, with request validation."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.version: str = data.get("version", "unknown Bot API version")
        self.methods: dict[str, dict[str, Field]] = {
            name: _fields(name, m.get("fields", [])) for name, m in data["methods"].items()
        }
        self.returns: dict[str, tuple[str, ...]] = {
            name: tuple(m.get("returns", ())) for name, m in data["methods"].items()
        }
        self.types: dict[str, ObjectType] = {}
        for name, raw in data["types"].items():
            description = " ".join(raw.get("description", []))
            fields = _fields(name, raw.get("fields", []))
            constants = {}
            if raw.get("subtype_of"):
                for f in fields.values():
                    if match := _CONSTANT.search(f.description):
                        constants[f.name] = match.group(1) or match.group(2)
            self.types[name] = ObjectType(
                name=name,
                description=description,
                fields=fields,
                subtypes=tuple(raw.get("subtypes", ())),
                constants=constants,
                one_of=one_of_rule(description),
                accepts_string=accepts_plain_string(description),
            )
        self.discriminators = {
            name: d
            for name, t in self.types.items()
            if t.subtypes and (d := self._discriminator(t))
        }

    @classmethod
    def load(cls, path: Path | str = SPEC_PATH) -> BotApiSpec:
        """The spec at ``path``, parsed once per process."""
        return _load(str(path))

    def _discriminator(self, union: ObjectType) -> tuple[str, dict[Any, list[str]]] | None:
        """Field (e.g. "type", "status", "source") whose constant tells the subtypes apart."""
        members = [self.types.get(s) for s in union.subtypes]
        if not members or any(m is None or not m.constants for m in members):
            return None
        common = set.intersection(*(set(m.constants) for m in members if m))
        if not common:
            return None
        key = sorted(common)[0]
        mapping: dict[Any, list[str]] = {}
        for member in members:
            if member is not None:
                mapping.setdefault(member.constants[key], []).append(member.name)
        return key, mapping

    # -- validation ------------------------------------------------------------------------
    def validate(
        self, method: str, params: Mapping[str, Any], files: Iterable[str] = ()
    ) -> list[str]:
        """Problems Telegram would answer with 400 for ``method(**params)``; [] if valid.

        ``files`` names the multipart parts uploaded along with the request.
        """
        if method not in self.methods:
            return [f"{method}: unknown method (not in {self.version})"]
        uploads = frozenset(files)
        fields = self.methods[method]
        present = dict(params)
        for name in uploads:
            if name in fields:
                present.setdefault(name, UPLOADED)
        problems = self._check_fields(fields, present, method, uploads)
        references = set(_attach_references(params))
        for name in sorted(uploads - set(fields) - references):
            problems.append(
                f"{method}: uploaded file part '{name}' is not a parameter and "
                "is not referenced via attach://"
            )
        for name in sorted(references - uploads):
            problems.append(f"{method}: attach://{name} refers to no uploaded file")
        return problems

    def validate_value(
        self, types: str | Iterable[str], value: Any, path: str = "value"
    ) -> list[str]:
        """Check ``value`` against a type expression such as "Message" or "Array of User"."""
        types = (types,) if isinstance(types, str) else tuple(types)
        return self._check_types(types, value, path, frozenset())

    def _check_fields(
        self, fields: Mapping[str, Field], obj: Mapping[str, Any], path: str, uploads: frozenset
    ) -> list[str]:
        problems = [
            f"{path}: missing required field '{name}'"
            for name, f in fields.items()
            if f.required and name not in obj
        ]
        for key, value in obj.items():
            f = fields.get(key)
            if f is None:
                problems.append(f"{path}: unknown field '{key}'")
            else:
                problems += self._check_types(f.types, value, f"{path}.{key}", uploads)
        return problems + check_rules(fields, obj, path)

    def _check_types(
        self, types: tuple[str, ...], value: Any, path: str, uploads: frozenset
    ) -> list[str]:
        if len(types) == 1:
            return self._check_type(types[0], value, path, uploads)
        candidates = [t for t in types if self._shape_matches(t, value)]
        if not candidates:
            return [f"{path}: expected {' or '.join(types)}, got {json_kind(value)}"]
        return self._closest(candidates, value, path, uploads)

    def _closest(
        self, candidates: Iterable[str], value: Any, path: str, uploads: frozenset
    ) -> list[str]:
        """Valid if any candidate accepts ``value``; else the errors of the likeliest one."""
        scored = []
        for candidate in candidates:
            problems = self._check_type(candidate, value, path, uploads)
            if not problems:
                return []
            known = self.types[candidate].fields if candidate in self.types else {}
            overlap = len(set(value) & set(known)) if isinstance(value, dict) else 0
            scored.append((-overlap, len(problems), problems))
        return min(scored, key=lambda s: s[:2])[2]

    def _shape_matches(self, type_name: str, value: Any) -> bool:
        """Cheap JSON-kind test used to pick union members before deep validation."""
        if type_name.startswith("Array of "):
            return isinstance(value, list)
        if type_name == "Integer":
            return isinstance(value, int) and not isinstance(value, bool)
        if type_name in ("Float", "Float number"):
            return isinstance(value, int | float) and not isinstance(value, bool)
        if type_name == "String":
            return isinstance(value, str)
        if type_name == "Boolean":
            return isinstance(value, bool)
        if type_name == "True":
            return value is True
        if type_name == "InputFile":
            return value == UPLOADED or (isinstance(value, str) and value.startswith(ATTACH_PREFIX))
        obj = self.types.get(type_name)
        if obj is None:
            return True  # A type the reference mentions but does not define: don't guess.
        if obj.subtypes:
            return any(self._shape_matches(s, value) for s in obj.subtypes)
        return isinstance(value, dict) or (obj.accepts_string and isinstance(value, str))

    def _check_type(self, type_name: str, value: Any, path: str, uploads: frozenset) -> list[str]:
        if type_name.startswith("Array of "):
            if not isinstance(value, list):
                return [f"{path}: expected {type_name}, got {json_kind(value)}"]
            item_type = type_name.removeprefix("Array of ")
            problems: list[str] = []
            for index, item in enumerate(value):
                problems += self._check_type(item_type, item, f"{path}[{index}]", uploads)
            return problems
        if not self._shape_matches(type_name, value):
            return [f"{path}: expected {type_name}, got {json_kind(value)}"]
        obj = self.types.get(type_name)
        if obj is None or not isinstance(value, dict):
            return []
        if obj.subtypes:
            return self._check_union(obj, value, path, uploads)
        where = f"{path} ({type_name})"
        problems = self._check_fields(obj.fields, value, where, uploads)
        for key, constant in obj.constants.items():
            if key in value and value[key] != constant:
                problems.append(f"{where}: field '{key}' must be {constant!r}")
        if obj.one_of is not None:
            problems += obj.one_of.check(value, where, obj.fields)
        return problems

    def _check_union(
        self, union: ObjectType, value: dict, path: str, uploads: frozenset
    ) -> list[str]:
        discriminator = self.discriminators.get(union.name)
        if discriminator is None:
            return self._closest(
                [s for s in union.subtypes if self._shape_matches(s, value)], value, path, uploads
            )
        key, mapping = discriminator
        if key not in value:
            return [
                f"{path} ({union.name}): missing required field '{key}' (one of {sorted(mapping)})"
            ]
        candidates = mapping.get(value[key])
        if not candidates:
            return [
                f"{path} ({union.name}): unknown {key} {value[key]!r}, "
                f"expected one of {sorted(mapping)}"
            ]
        return self._closest(candidates, value, path, uploads)

    # -- synthesis -------------------------------------------------------------------------
    def example(self, type_name: str, _depth: int = 0) -> Any:
        """A minimal valid value of ``type_name`` (required fields only).

        Used to answer methods the fake has no dedicated handler for, so PTB can parse them.
        """
        simple = {
            "Integer": 0,
            "Float": 0.0,
            "Float number": 0.0,
            "String": "",
            "Boolean": False,
            "True": True,
            "InputFile": "",
        }
        if type_name in simple:
            return simple[type_name]
        if type_name.startswith("Array of ") or _depth > 8:
            return [] if type_name.startswith("Array of ") else {}
        obj = self.types.get(type_name)
        if obj is None:
            return {}
        if obj.subtypes:
            return self.example(obj.subtypes[0], _depth + 1)
        result = {
            name: self.example(f.types[0], _depth + 1)
            for name, f in obj.fields.items()
            if f.required
        }
        result.update(obj.constants)
        return result


@functools.cache
def _load(path: str) -> BotApiSpec:
    with open(path, encoding="utf-8") as handle:
        return BotApiSpec(json.load(handle))


def _attach_references(value: Any) -> Iterable[str]:
    """Names referenced as attach://<name> anywhere inside ``value``."""
    if isinstance(value, str):
        if value.startswith(ATTACH_PREFIX):
            yield value.removeprefix(ATTACH_PREFIX)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _attach_references(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _attach_references(item)
