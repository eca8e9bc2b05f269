"""Personal commitments as their person reads them: the offer under an
answer, the check-in, and the commitment's lines in the journal, its
export, the weekly recap and /mydata. Only ever in the private chat."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.locales import Catalog, Html
from bot.domain.actions import Action
from bot.domain.commitments import Commitment
from bot.render.actions import local_date
from bot.render.callbacks import CheckIn, Commit, encode

_DATE_KEYS = (("d3", "commitments.in_days"), ("w1", "commitments.in_week"),
              ("w2", "commitments.in_two_weeks"))


def offer(catalog: Catalog, language: str, prompt_id: int,
          text: str) -> tuple[str, InlineKeyboardMarkup]:
    """"Want to make this a commitment?" with its date choices and "No thanks"."""
    return (catalog.text(language, "commitments.offer", text=text),
            offer_keyboard(catalog, language, prompt_id))


def offer_keyboard(catalog: Catalog, language: str, prompt_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(catalog.text(language, key),
                              callback_data=encode(Commit(prompt_id, choice)))
         for choice, key in _DATE_KEYS],
        [InlineKeyboardButton(catalog.text(language, "commitments.no_thanks"),
                              callback_data=encode(Commit(prompt_id, "no")))],
    ])


def made(catalog: Catalog, language: str, commitment: Commitment, timezone: str) -> str:
    return catalog.text(language, "commitments.made", text=commitment.text, date=Html(
        local_date(catalog, language, commitment.due_at, timezone)))


def checkin(catalog: Catalog, language: str, action: Action) -> tuple[str, InlineKeyboardMarkup]:
    """The check-in of a personal commitment: the actions' four answers."""
    buttons = [InlineKeyboardButton(catalog.text(language, key),
                                    callback_data=encode(CheckIn(action.id, answer)))
               for answer, key in (("done", "checkin.done"), ("way", "checkin.on_the_way"),
                                   ("stuck", "checkin.stuck"), ("go", "checkin.let_go"))]
    return (catalog.text(language, "commitments.checkin", text=action.text),
            InlineKeyboardMarkup([buttons[:2], buttons[2:]]))


def lines(catalog: Catalog, language: str, commitment: Commitment, timezone: str) -> list[str]:
    """The commitment, how it stands (made on, check-in day) and its note."""
    def day(moment: datetime | None) -> Html:
        return Html(local_date(catalog, language, moment, timezone) if moment else "–")

    shown = [catalog.text(language, "commitments.line", text=commitment.text),
             catalog.text(language, "commitments.details",
                          state=catalog.text(language, f"commitments.state.{commitment.state}"),
                          made=day(commitment.made_at), due=day(commitment.due_at))]
    if commitment.note:
        shown.append(catalog.text(language, "commitments.note", note=commitment.note))
    return shown


def recap_block(catalog: Catalog, language: str, commitments: Sequence[Commitment]) -> list[str]:
    """The recap's commitments of the week, each with how it stands."""
    if not commitments:
        return []
    return ["", catalog.text(language, "commitments.recap_title"), *(
        catalog.text(language, "commitments.recap_line", text=c.text,
                     state=catalog.text(language, f"commitments.state.{c.state}"))
        for c in commitments)]


def mydata_block(catalog: Catalog, language: str, commitments: Sequence[Commitment],
                 timezone: str) -> str:
    if not commitments:
        return catalog.text(language, "commitments.mydata_none")
    out = [catalog.text(language, "commitments.mydata_title")]
    for commitment in commitments:
        out += ["", *lines(catalog, language, commitment, timezone)]
    return "\n".join(out)


# -- the journal's export: plain text and JSON ---------------------------------------------------


def markdown_lines(catalog: Catalog, language: str, commitment: Commitment,
                   timezone: str) -> list[str]:
    """The commitment under its entry in the Markdown export, as typed."""
    def plain(key: str, **values: object) -> str:
        return catalog.raw(language, key).format(**values)

    def day(moment: datetime | None) -> str:
        return local_date(catalog, language, moment, timezone) if moment else "–"

    out = [plain("commitments.line", text=commitment.text),
           plain("commitments.details", state=plain(f"commitments.state.{commitment.state}"),
                 made=day(commitment.made_at), due=day(commitment.due_at))]
    if commitment.note:
        out.append(plain("commitments.note", note=commitment.note))
    return out


def record(commitment: Commitment) -> dict[str, object]:
    """The commitment in the JSON export, times in UTC."""
    def utc(moment: datetime | None) -> str | None:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None

    return {"text": commitment.text, "made_at": utc(commitment.made_at),
            "check_in_at": utc(commitment.due_at), "state": commitment.state,
            "answered_at": utc(commitment.answered_at), "note": commitment.note}
