"""The error answer Telegram gives, raised inside the fake and serialised by the server."""

from __future__ import annotations

import json
from typing import Any


class ApiError(Exception):
    """A Telegram error answer: {"ok": false, "error_code", "description", "parameters"}."""

    def __init__(self, error_code: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def payload(self) -> bytes:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return json.dumps(body).encode("utf-8")
