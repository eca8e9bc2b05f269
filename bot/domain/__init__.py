"""Pure logic: no Telegram, no SQL. What to ask, when, and who to tell."""
