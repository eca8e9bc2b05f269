"""The tests' name for the stand-in Telegram, which now lives in the package
(bot.sandbox.telegram) so that `civic-reflect try` runs on the same implementation.

Both `from fake_telegram import X` and `from fake_telegram.<module> import X` keep working:
the submodules are the package's own modules under a second name, not copies.
"""

import importlib
import sys

from bot.sandbox.telegram import *  # noqa: F403
from bot.sandbox.telegram import __all__  # noqa: F401

for _name in ("answers", "builders", "constants", "errors", "html", "prose", "server", "spec",
              "state"):
    sys.modules[f"{__name__}.{_name}"] = importlib.import_module(f"bot.sandbox.telegram.{_name}")
