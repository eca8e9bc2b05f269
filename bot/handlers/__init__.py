"""Thin Telegram adapters, one module per concern; `registry` orders them."""
