"""Thin Telegram adapters, one module per concern; `registry` orders them.

A handler parses the update, calls a service, renders and replies. Whatever
writes to the store goes through a service (bot/services), which does a
command's writes in one transaction; a handler calls the store itself only
to read (one repository call that reads). tests/test_layers.py holds them to it.
"""
