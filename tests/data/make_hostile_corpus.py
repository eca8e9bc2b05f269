"""Write tests/data/hostile_updates.json: updates a bot meets from people who
make mistakes, from other bots, from Telegram's odd corners, and from
someone trying to break it.

Placeholders are filled in when the test replays the corpus against a group
that is set up with a question open: "$QUESTION" (that question's message),
"$PROMPT" (its prompt id), "$WIZARD" (an unfinished /setup message).
Run `python tests/data/make_hostile_corpus.py` after changing this file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from bot.sandbox.telegram import (  # noqa: E402
    CHANNEL_BOT,
    GROUP_ANONYMOUS_BOT,
    UpdateFactory,
)

GROUP, OTHER_GROUP, UNKNOWN_GROUP = -100300, -100400, -100999
ANA, BRUNO, STRANGER = 601, 602, 777
COMMANDS = ("start", "help", "status", "join", "quiet", "mydata", "forget", "setup", "timezone",
            "ask", "skip", "pause", "resume", "window", "quiethours", "coordinators", "summary",
            "digest", "export", "nudges", "summarytime", "partner", "unpartner", "partnership",
            "programme", "journal", "later", "language")
ABSURD = ("", "x" * 4000, "²", "٣", "-1", "99999999999999999999999", "../../etc/passwd",
          "<b>bold</b><script>alert(1)</script>", "\u202eevil\u202c", "🙂" * 300,
          "a\u0000b", "\u200b\u200b", "Area/City", "NaN", "1e309")
TEXTS = ("", " ", "x" * 4096, "<b>not markup</b> & <i>", "<a href=\"tg://user?id=1\">x</a>",
         "\u202e\u2066reversed\u2069", "zero\u200bwidth\ufeff", "ctrl\x01\x02\x1b[31m",
         "🏳️‍🌈" * 500, "@all @admin please answer", "/", "//", "/ask@other_bot",
         "%s %d {0} {name}", "\n\n\n", "ñandú — «cita»")
CALLBACK_DATA = ("1|r|$PROMPT|9", "1|r|$PROMPT|0", "1|r|999999|4", "1|r|-1|3", "1|r|$PROMPT",
                 "2|r|$PROMPT|4", "1|q|999999", "1|s|p|no-such-pack", "1|s|zz|1", "1|s||",
                 "1|f|602|1", "1|f|601|1", "1|f|0|1", "1|j|0|-", "1|j|99999|well-being",
                 "1|j|1|../etc", "1|g|999999", "1|u|999999|end", "1|u|-|keep", "1|v|1|la|1",
                 "1|v|1|xx|1", "x" * 64, "é" * 40, "", "1||||||", "1|r|$PROMPT|4|extra",
                 "\u202e1|r|$PROMPT|4", "1|r|0001|4", "1|r|+1|4", "1|r|$PROMPT|4 ",
                 # Numbers past a signed 64-bit integer: stale buttons, not errors.
                 "1|r|99999999999999999999|3", "1|r|9223372036854775808|3",
                 "1|q|18446744073709551616|1", "1|f|9223372036854775808|1",
                 "1|j|99999999999999999999|-", "1|g|9223372036854775808",
                 "1|u|9223372036854775808|end", "1|v|99999999999999999999|la|0")
# Commands in no menu, addressed to us, to another bot, or to nobody.
STRAY_COMMANDS = ("/frobnicate", "/frobnicate@civic_reflect_bot", "/help@civic_reflect_bot",
                  "/journal@civic_reflect_bot", "/summary@civic_reflect_bot", "/ask@other_bot",
                  "/x" + "y" * 40)


def corpus() -> list[dict]:
    u = UpdateFactory(first_update_id=10_000)
    group = u.group_chat(GROUP, "Riverside CSO")
    other = u.group_chat(OTHER_GROUP, "Old Town")
    unknown = u.group_chat(UNKNOWN_GROUP, "Never seen")
    supergroup = u.group_chat(-1001234567890, "Moved", type="supergroup")
    channel = u.channel(-1009999999999, "News", username="news")
    ana, bruno = u.user(ANA, "Ana", "Admin"), u.user(BRUNO, "Bruno")
    stranger = u.user(STRANGER, "Str<b>anger</b>", username="x" * 32, language_code="xx-YY")
    robot = {"id": 5555, "is_bot": True, "first_name": "OtherBot", "username": "other_bot"}
    question = {"message_id": "$QUESTION", "date": 0, "chat": group,
                "from": {"id": 1000, "is_bot": True, "first_name": "civic-reflect",
                         "username": "civic_reflect_bot"}}
    wizard = {**question, "message_id": "$WIZARD"}
    updates = []
    # Every command, with absurd arguments, from a member, an admin and a stranger.
    for command in COMMANDS:
        for argument, person, chat in zip(ABSURD, (bruno, ana, stranger) * 5,
                                          (group, group, group, u.private_chat(bruno),
                                           u.private_chat(stranger)) * 3, strict=False):
            updates.append(u.message(chat, person, f"/{command} {argument}".rstrip()))
    # Each command in each kind of chat it does not belong to, and stray ones.
    for command in COMMANDS:
        updates.append(u.message(u.private_chat(ana), ana, f"/{command}"))
        updates.append(u.message(supergroup, ana, f"/{command}"))
        updates.append(u.message(unknown, bruno, f"/{command}"))
    for text in STRAY_COMMANDS:
        for chat, person in ((group, ana), (group, bruno), (u.private_chat(bruno), bruno)):
            updates.append(u.message(chat, person, text))
    # Texts and replies of every shape, in the group and in private.
    for text in TEXTS:
        if text:
            updates.append(u.message(group, bruno, text))
            updates.append(u.message(u.private_chat(bruno), bruno, text))
        updates.append(u.reply(group, bruno, question, text or "."))
    # Buttons: forged, replayed, oversized, on the wrong message, in the wrong chat.
    for data in CALLBACK_DATA:
        updates.append(u.callback(group, bruno, question, data))
        updates.append(u.callback(group, stranger, wizard, data))
        updates.append(u.callback(u.private_chat(bruno), bruno,
                                  {**question, "chat": u.private_chat(bruno)}, data))
    inaccessible = {"message_id": "$QUESTION", "date": 0, "chat": group}
    updates.append(u.callback(group, bruno, inaccessible, "1|r|$PROMPT|3"))
    updates.append(u.callback(unknown, bruno, {**question, "chat": unknown}, "1|r|$PROMPT|3"))
    inline = u.callback(group, bruno, question, "1|r|$PROMPT|3")
    inline["callback_query"].pop("message")
    inline["callback_query"]["inline_message_id"] = "AAAA"
    updates.append(inline)
    # No person behind it: anonymous admins, channels, other bots.
    for text in ("/setup", "/ask", "/forget", "/mydata", "hello", "/timezone Europe/Oslo"):
        updates.append(u.anonymous_admin_command(group, text) if text.startswith("/")
                       else u.message_as_chat(group, group, text))
        updates.append(u.message_as_chat(group, channel, text))
        updates.append(u.channel_post(channel, text))
        updates.append(u.message(group, robot, text))
        updates.append(u.reply(group, robot, question, text))
    anonymous_tap = u.callback(group, GROUP_ANONYMOUS_BOT, question, "1|r|$PROMPT|5")
    channel_tap = u.callback(group, CHANNEL_BOT, question, "1|r|$PROMPT|5")
    updates += [anonymous_tap, channel_tap]
    # Chats the bot never saw, or that are gone; lifecycle oddities.
    updates += [
        u.message(unknown, bruno, "/status"), u.message(unknown, bruno, "/ask"),
        u.reply(unknown, bruno, {**question, "chat": unknown}, "late"),
        u.message(other, stranger, "/export"), u.message(other, stranger, "/digest"),
        u.message(supergroup, bruno, "/summary"),
        u.bot_removed(unknown, bruno), u.bot_removed(group, stranger),
        u.migrate(unknown, -1001111111111), u.migrated_from(supergroup, UNKNOWN_GROUP),
        u.members_added(unknown, bruno, [robot, stranger]),
        u.edited({"message_id": 424242, "date": 0, "chat": group, "from": bruno,
                  "text": "never seen"}, "edited"),
        u.edited({"message_id": 424243, "date": 0, "chat": u.private_chat(bruno),
                  "from": bruno, "text": "x"}, "x" * 4096),
    ]
    # Messages with no text at all.
    for content in ({"sticker": {"file_id": "s", "file_unique_id": "s", "type": "regular",
                                 "width": 1, "height": 1, "is_animated": False,
                                 "is_video": False}},
                    {"location": {"latitude": 1.0, "longitude": 2.0}},
                    {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1,
                                "height": 1}]},
                    {"dice": {"emoji": "🎲", "value": 3}}):
        for chat in (group, u.private_chat(bruno)):
            message = {"message_id": 900_000 + len(updates), "date": 0, "chat": chat,
                       "from": bruno, **content}
            updates.append({"update_id": 20_000 + len(updates), "message": message})
            updates.append({"update_id": 20_000 + len(updates), "message": {
                **message, "message_id": message["message_id"] + 1,
                "reply_to_message": question}})
    return updates


def main() -> None:
    updates = corpus()
    for number, update in enumerate(updates, start=1):
        update["update_id"] = 50_000 + number  # in order, each once
    path = HERE / "hostile_updates.json"
    path.write_text(json.dumps(updates, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(updates)} updates to {path.name}")


if __name__ == "__main__":
    main()
