"""Use cases shared by handlers and scheduled jobs: they call the domain and
the store, render, and talk to Telegram."""
