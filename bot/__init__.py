"""civic-reflect: a Telegram bot that helps groups and people reflect together."""

__version__ = "0.2.0"
