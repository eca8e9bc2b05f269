import sys

try:
    from bot.cli import main

    code = main()
except KeyboardInterrupt:
    # Ctrl-C while the bot is still loading, before it listens for signals
    # itself: nothing has started, so there is nothing to clean up or explain.
    print("civic-reflect: stopped", file=sys.stderr)
    code = 130

raise SystemExit(code)
