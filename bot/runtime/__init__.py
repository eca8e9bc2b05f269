"""How the process lives: the typed context, polling and the webhook server,
the leader lease, lifecycle, traffic and rate limits, per-chat order, metrics."""
