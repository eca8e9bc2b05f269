""""Let the others answer": the simulated neighbours answer the group's open question.

They act only as a person would, through what Telegram shows them: they tap the buttons
under the question, reply to it, follow its "Answer privately" link and answer in their own
chat with the bot. Each keeps to a habit (see cast.py); their choices vary from question to
question but are the same for the same question, so a demonstration can be repeated.
"""

from __future__ import annotations

import random

from bot.render import callbacks

from .cast import COMMENTS, GROUP_ID, NEIGHBOURS, NEVER, PRIVATELY, SOMETIMES, Neighbour
from .session import Sandbox, SandboxError, start_payload

# For questions answered in words rather than on the scale.
_PLAIN_COMMENTS = (
    "We are getting there, slowly.",
    "Hard to say; we should talk about it at the next meeting.",
    "Better than a year ago.",
)


def _buttons(message: dict) -> list[dict]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button for row in rows for button in row]


def find_button(message: dict, wanted: callbacks.Callback) -> str | None:
    """The callback_data of the button that means ``wanted``, if the message has it."""
    for button in _buttons(message):
        if callbacks.decode(button.get("callback_data")) == wanted:
            return button["callback_data"]
    return None


def private_link(message: dict) -> str | None:
    return next((b["url"] for b in _buttons(message) if start_payload(b.get("url", ""))), None)


class Neighbourhood:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    async def let_others_answer(self, me: int) -> str:
        """Everyone but ``me`` answers the open question after their habit; says who did what."""
        store = self.sandbox.app.bot_data.store
        asked = [p for p in await store.prompts.open_for_chat(GROUP_ID) if p.message_id]
        if not asked:
            raise SandboxError("No question is open in the group: try “Next question now”.")
        prompt = asked[-1]
        question = self.sandbox.telegram.state.message(GROUP_ID, prompt.message_id)
        if question is None:
            raise SandboxError("The open question was asked before the sandbox restarted: "
                               "try “Next question now”.")
        lines = []
        for neighbour in NEIGHBOURS:
            if neighbour.id == me:
                continue
            if await store.answers.get(prompt.id, neighbour.id) is not None:
                lines.append(f"{neighbour.first_name} had already answered")
                continue
            choices = random.Random(f"{prompt.id}:{neighbour.id}")
            lines.append(await self._answer(neighbour, question, prompt.id, choices))
        await self.sandbox.run_count_jobs()
        return "; ".join(lines) + "."

    async def _answer(self, neighbour: Neighbour, question: dict, prompt_id: int,
                      choices: random.Random) -> str:
        name = neighbour.first_name
        if neighbour.habit == NEVER:
            return f"{name} stayed silent"
        if neighbour.habit == SOMETIMES and choices.random() < 0.5:
            return f"{name} let this one pass"
        rating = min(5, max(1, neighbour.leaning + choices.choice((-1, 0, 0, 1))))
        comment = choices.choice(neighbour.comments or _PLAIN_COMMENTS)
        if neighbour.habit == PRIVATELY:
            return await self._answer_privately(neighbour, question, prompt_id, rating, comment)
        said = await self._rate(neighbour, GROUP_ID, question, prompt_id, rating)
        if neighbour.habit == COMMENTS or not said:
            await self.sandbox.say(neighbour.id, GROUP_ID, comment,
                                   reply_to=question["message_id"])
            quote = find_button(question, callbacks.Quote(prompt_id, True))
            if quote:
                await self.sandbox.press(neighbour.id, GROUP_ID, question["message_id"], quote)
                return f"{name} {said or 'replied'}, commented and may be quoted"
            return f"{name} {said or 'replied'} and commented"
        return f"{name} {said}"

    async def _rate(self, neighbour: Neighbour, chat_id: int, message: dict, prompt_id: int,
                    rating: int) -> str:
        """Tap the rating if the question has a scale; what was done, or "" if it has none."""
        data = find_button(message, callbacks.Rate(prompt_id, rating))
        if data is None:
            return ""
        await self.sandbox.press(neighbour.id, chat_id, message["message_id"], data)
        return f"tapped {rating}"

    async def _answer_privately(self, neighbour: Neighbour, question: dict, prompt_id: int,
                                rating: int, comment: str) -> str:
        link = private_link(question)
        if link is None:
            return f"{neighbour.first_name} found no way to answer privately"
        known = set(m["message_id"] for m in self.sandbox.feed.messages(neighbour.id))
        await self.sandbox.open_link(neighbour.id, link)
        arrived = [self.sandbox.telegram.state.message(neighbour.id, m["message_id"])
                   for m in self.sandbox.feed.messages(neighbour.id)
                   if m["from"]["is_bot"] and m["message_id"] not in known]
        for message in filter(None, arrived):
            await self._rate(neighbour, neighbour.id, message, prompt_id, rating)
        invitation = next((m for m in self.sandbox.feed.messages(neighbour.id)
                           if m["message_id"] not in known and m["force_reply"]), None)
        if invitation is not None:
            await self.sandbox.say(neighbour.id, neighbour.id, comment,
                                   reply_to=invitation["message_id"])
        return f"{neighbour.first_name} answered privately"
