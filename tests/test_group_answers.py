"""Answers in a group of five: taps, replies, edits, voice, private answers,
forged and stale buttons, closed questions, /forget and a supergroup upgrade."""

from __future__ import annotations

from bot.sandbox.telegram import GROUP_ANONYMOUS_BOT_ID, visible_text

from helpers.group import GROUP_ID, ask, bot_message, last_text, press


async def prompt_of(harness, message: dict):
    return await harness.store.prompts.by_message(message["chat"]["id"], message["message_id"])


async def test_three_questions_with_ratings_comments_voice_and_private_answers(harness, group):
    store, telegram, u = harness.store, harness.telegram, harness.updates
    chat = group.chat

    # Question 1: taps, a changed tap, comments by reply, an edit, a voice note.
    q1 = await ask(harness, group)
    p1 = await prompt_of(harness, q1)
    for person, value in ((group.bruno, 4), (group.carla, 2), (group.dev, 5)):
        answer = await press(harness, chat, person, q1, f"1|r|{p1.id}|{value}")
        assert answer["text"] == "Saved, thank you!"
    await press(harness, chat, group.bruno, q1, f"1|r|{p1.id}|3")
    assert (await store.answers.get(p1.id, group.bruno["id"])).scale == 3
    assert [h.scale for h in await store.answers.history(
        (await store.answers.get(p1.id, group.bruno["id"])).id)] == [4]

    comment = u.reply(chat, group.carla, q1, "We need more <b>outreach</b> & care 🌱")
    await harness.send(comment)
    reaction = telegram.last("setMessageReaction", chat_id=GROUP_ID)
    assert reaction.params["message_id"] == comment["message"]["message_id"]
    assert reaction.params["reaction"] == [{"type": "emoji", "emoji": "✍"}]
    carla = await store.answers.get(p1.id, group.carla["id"])
    assert (carla.scale, carla.text, carla.visibility, carla.quotable) == (
        2, "We need more <b>outreach</b> & care 🌱", "group", False)

    await harness.send(u.edited(comment["message"], "We need more outreach, and care"))
    carla = await store.answers.get(p1.id, group.carla["id"])
    assert carla.text == "We need more outreach, and care"
    assert [h.text for h in await store.answers.history(carla.id)] == [
        "We need more <b>outreach</b> & care 🌱"]

    await harness.send(u.voice_reply(chat, group.eli, q1, "AwACAgVoice01", 12))
    assert (await store.answers.get(p1.id, group.eli["id"])).voice_file_id == "AwACAgVoice01"

    # Quoting is opt-in per person and per question.
    answer = await press(harness, chat, group.carla, q1, f"1|q|{p1.id}|1")
    assert answer["text"].startswith("Your comment on this question may now be quoted")
    assert (await store.answers.get(p1.id, group.carla["id"])).quotable is True
    # Withdrawn, and the withdrawal delivered again (after a crash, a lost
    # webhook reply): it stays withdrawn. A button sets a state, never flips it.
    withdraw = harness.updates.callback(chat, group.carla, q1, f"1|q|{p1.id}|0")
    for _ in range(2):
        await harness.send(withdraw)
        assert (await store.answers.get(p1.id, group.carla["id"])).quotable is False
    # A "Quote me" button sent before buttons carried their state still allows.
    await press(harness, chat, group.carla, q1, f"1|q|{p1.id}")
    assert (await store.answers.get(p1.id, group.carla["id"])).quotable is True

    # The live count is edited once for the burst, never showing ratings.
    assert await harness.refresh_counts() == 1
    edit = telegram.last("editMessageText", chat_id=GROUP_ID)
    shown = visible_text(edit.params["text"])
    assert shown.endswith("👥 4 people have answered so far")
    assert "We need more" not in shown and "Carla" not in shown

    # A private answer through the deep link: Dev answers question 1 privately.
    await _answer_privately(harness, group, group.dev, p1.id)

    # Question 2 closes question 1.
    q2 = await ask(harness, group)
    p2 = await prompt_of(harness, q2)
    assert (await store.prompts.get(p1.id)).closed_at is not None
    closing = [c for c in telegram.calls_to("editMessageText", chat_id=GROUP_ID)
               if c.params["message_id"] == q1["message_id"]][-1]
    assert "reply_markup" not in closing.params
    assert visible_text(closing.params["text"]).endswith(
        "This question has closed. 4 people answered.")
    assert visible_text(q2["text"]).splitlines()[0] == "Defining valued outcomes · II (2 of 15)"

    # A tap and a reply on the closed question are turned away politely.
    answer = await press(harness, chat, group.carla, q1, f"1|r|{p1.id}|5")
    assert answer == {**answer, "text": "Sorry, this question has closed. The next one will "
                      "come soon.", "show_alert": True}
    await harness.send(u.reply(chat, group.bruno, q1, "late thought"))
    assert last_text(harness, GROUP_ID).startswith("Sorry, this question has closed.")
    assert (await store.answers.get(p1.id, group.bruno["id"])).text is None

    await press(harness, chat, group.bruno, q2, f"1|r|{p2.id}|0")
    skipped = await store.answers.get(p2.id, group.bruno["id"])
    assert (skipped.skipped, skipped.scale) == (True, None)
    assert await store.answers.count_for_prompt(p2.id) == 0

    # /skip closes question 2 and posts question 3.
    await harness.send(u.command(chat, group.ana, "/skip"))
    q3 = bot_message(harness, GROUP_ID)
    assert visible_text(q3["text"]).splitlines()[0] == "Defining valued outcomes · III (3 of 15)"
    assert (await store.prompts.get(p2.id)).closed_at is not None

    # Nothing Dev said privately ever reached the group.
    group_texts = [visible_text(c.params["text"]) for c in telegram.calls
                   if c.params.get("chat_id") == GROUP_ID and "text" in c.params]
    assert not any("only said privately" in text for text in group_texts)


async def _answer_privately(harness, group, person, prompt_id: int) -> None:
    store, telegram, u = harness.store, harness.telegram, harness.updates
    private = u.private_chat(person)
    await harness.send(u.command(private, person, f"/start p{prompt_id}"))
    catalog, language = harness.app.bot_data.catalog, person["language_code"]
    question = telegram.calls_to("sendMessage", chat_id=person["id"])[-2]
    assert visible_text(question.params["text"]).startswith(visible_text(
        catalog.text(language, "private.from_group", title="Riverside CSO")))
    question_message = telegram.message(person["id"], question.result["message_id"])
    invitation = bot_message(harness, person["id"])
    sent = telegram.last("sendMessage", chat_id=person["id"])
    assert sent.params["reply_markup"]["force_reply"] is True

    answer = await press(harness, private, person, question_message, f"1|r|{prompt_id}|1")
    assert answer["text"] == catalog.text(language, "answer.saved")
    await harness.send(u.reply(private, person, invitation, "I only said privately: it's hard"))
    saved = await store.answers.get(prompt_id, person["id"])
    assert (saved.scale, saved.text, saved.visibility) == (
        1, "I only said privately: it's hard", "private")
    assert last_text(harness, person["id"]) == visible_text(catalog.text(
        language, "private.saved", title="Riverside CSO", position=1, total=15))
    # Asking to quote a private answer is refused: it never appears in the group.
    group_question = telegram.message(GROUP_ID, (await store.prompts.get(prompt_id)).message_id)
    answer = await press(harness, group.chat, person, group_question, f"1|q|{prompt_id}")
    assert answer["text"] == catalog.text("en", "answer.quote_private")
    assert (await store.answers.get(prompt_id, person["id"])).quotable is False


async def test_forged_and_stale_buttons_get_a_polite_answer(harness, group):
    q1 = await ask(harness, group)
    p1 = await prompt_of(harness, q1)
    stale = "This button is no longer valid. Nothing was changed."
    for data in ("1|r|999999|3", "garbage", "1|r|{id}|9", "2|r|{id}|3", "1|r|0{id}|3",
                 "1|x|{id}", "1|r|{id}|3|extra"):
        answer = await press(harness, group.chat, group.bruno, q1, data.format(id=p1.id))
        assert answer["text"] == stale, data
    # A real prompt id pressed under a different message is refused too.
    await harness.send(harness.updates.command(group.chat, group.ana, "/status"))
    status = bot_message(harness, GROUP_ID)
    answer = await press(harness, group.chat, group.bruno, status, f"1|r|{p1.id}|3")
    assert answer["text"] == stale
    assert await harness.store.answers.for_prompt(p1.id) == []


async def test_private_link_needs_membership_of_the_group(harness, group):
    q1 = await ask(harness, group)
    p1 = await prompt_of(harness, q1)
    stranger = harness.updates.user(699, "Stranger")
    private = harness.updates.private_chat(stranger)
    await harness.send(harness.updates.command(private, stranger, f"/start p{p1.id}"))
    assert last_text(harness, 699).startswith("That link is for members of the group")
    await harness.send(harness.updates.command(private, stranger, "/start p99999"))
    assert last_text(harness, 699).startswith("That link is for members of the group")
    await harness.send(harness.updates.message(private, stranger, "hello?"))
    assert last_text(harness, 699).startswith("To answer a question, reply to it")


async def test_forget_deletes_only_my_answers_after_confirmation(harness, group):
    q1 = await ask(harness, group)
    p1 = await prompt_of(harness, q1)
    await press(harness, group.chat, group.dev, q1, f"1|r|{p1.id}|5")
    await harness.send(harness.updates.reply(group.chat, group.dev, q1, "mine"))
    await press(harness, group.chat, group.bruno, q1, f"1|r|{p1.id}|2")

    await harness.send(harness.updates.command(group.chat, group.dev, "/forget"))
    confirm = bot_message(harness, GROUP_ID)
    # Nothing personal in the group: no name in the question, none and no count after.
    assert visible_text(confirm["text"]).startswith("Delete all your answers in this group?")
    assert "Dev" not in visible_text(confirm["text"])
    answer = await press(harness, group.chat, group.bruno, confirm, f"1|f|{group.dev['id']}|1")
    assert answer["text"] == "Only the person who asked can answer this."
    assert await harness.store.answers.get(p1.id, group.dev["id"]) is not None

    answer = await press(harness, group.chat, group.dev, confirm, f"1|f|{group.dev['id']}|1")
    assert answer["text"] == "Done: 1 answer of yours was deleted."  # to Dev alone
    edited = harness.telegram.last("editMessageText", chat_id=GROUP_ID)
    assert visible_text(edited.params["text"]) == "Done: deleted."
    assert await harness.store.answers.get(p1.id, group.dev["id"]) is None
    assert await harness.store.answers.get(p1.id, group.bruno["id"]) is not None


async def test_quiet_is_confirmed_privately_when_it_can_be(harness, group):
    u = harness.updates
    await harness.send(u.command(u.private_chat(group.eli), group.eli, "/start"))
    said_in_group = len(harness.telegram.calls_to("sendMessage", chat_id=GROUP_ID))
    command = u.command(group.chat, group.eli, "/quiet")
    await harness.send(command)
    assert (await harness.store.members.get(GROUP_ID, group.eli["id"])).quiet is True
    assert last_text(harness, group.eli["id"]) == (
        "Understood: no reminders for you in Riverside CSO. Its coordinators see that you "
        "asked, so that they respect it too. Send /quiet off there to have them again.")
    # The group hears nothing of her choice: a reaction on her own message says it was taken.
    assert len(harness.telegram.calls_to("sendMessage", chat_id=GROUP_ID)) == said_in_group
    reaction = harness.telegram.last("setMessageReaction", chat_id=GROUP_ID)
    assert reaction.params["message_id"] == command["message"]["message_id"]


async def test_mydata_goes_to_a_private_chat(harness, group):
    q1 = await ask(harness, group)
    p1 = await prompt_of(harness, q1)
    await press(harness, group.chat, group.eli, q1, f"1|r|{p1.id}|4")
    await harness.send(harness.updates.reply(group.chat, group.eli, q1, "a <i>comment</i>"))

    await harness.send(harness.updates.command(group.chat, group.eli, "/mydata"))
    invite = bot_message(harness, GROUP_ID)
    assert invite["reply_markup"]["inline_keyboard"][0][0]["url"] == (
        f"https://t.me/civic_reflect_bot?start=d{GROUP_ID}")

    private = harness.updates.private_chat(group.eli)
    await harness.send(harness.updates.command(private, group.eli, f"/start d{GROUP_ID}"))
    mine = last_text(harness, group.eli["id"])
    assert mine.startswith("Your answers in Riverside CSO")
    assert "Rating: 4 of 5 (Mostly)" in mine and "Comment: a <i>comment</i>" in mine

    await harness.send(harness.updates.command(group.chat, group.eli, "/mydata"))
    assert last_text(harness, GROUP_ID) == "Eli, I have sent you your answers in a private chat."


async def test_commands_and_status_and_pausing(harness, group):
    u = harness.updates
    await harness.send(u.command(group.chat, group.carla, "/join"))
    assert last_text(harness, GROUP_ID) == "Welcome, Carla: you now count as a member here."
    await harness.send(u.command(group.chat, group.carla, "/quiet"))
    assert (await harness.store.members.get(GROUP_ID, group.carla["id"])).quiet is True
    # No private chat yet: said in the group, without her name.
    assert last_text(harness, GROUP_ID) == (
        "Understood: no reminders for you here. Coordinators see that you asked, so that they "
        "respect it too. Send /quiet off to have them again.")
    await harness.send(u.command(group.chat, group.carla, "/quiet off"))
    assert (await harness.store.members.get(GROUP_ID, group.carla["id"])).quiet is False
    assert last_text(harness, GROUP_ID) == "Reminders are back on for you here."

    q1 = await ask(harness, group)
    p1 = await prompt_of(harness, q1)
    await press(harness, group.chat, group.carla, q1, f"1|r|{p1.id}|3")
    await harness.send(u.command(group.chat, group.bruno, "/status"))
    status = last_text(harness, GROUP_ID).splitlines()
    assert status[0].startswith("Programme: Civic partnership")
    assert status[1].startswith("Now: question I (1 of 15): How well has the CSO")
    assert status[2] == "1 person has answered so far."  # never how many did not
    assert status[3] == "Next question: Monday 9 March at 09:00 (Europe/Madrid)"

    await harness.send(u.command(group.chat, group.bruno, "/pause"))
    assert last_text(harness, GROUP_ID).startswith("Sorry, only this group's coordinators")
    await harness.send(u.command(group.chat, group.ana, "/pause"))
    assert (await harness.store.enrolments.active_for(GROUP_ID)).paused is True
    await harness.send(u.command(group.chat, group.ana, "/status"))
    assert "⏸ Paused." in last_text(harness, GROUP_ID)
    await harness.send(u.command(group.chat, group.ana, "/resume"))
    assert last_text(harness, GROUP_ID).startswith("▶️ Resumed.")
    assert (await harness.store.enrolments.active_for(GROUP_ID)).paused is False


async def test_coordinators_can_be_added_by_an_admin(harness, group):
    u = harness.updates
    harness.telegram.set_chat_member(GROUP_ID, group.carla, "administrator")
    carla_says = u.message(group.chat, group.carla, "happy to help")
    await harness.send(carla_says)
    await harness.send(u.message(group.chat, group.ana, "/coordinators add",
                                 reply_to=carla_says["message"]))
    assert last_text(harness, GROUP_ID) == "Carla is now a coordinator."
    bruno_says = u.message(group.chat, group.bruno, "me too")
    await harness.send(bruno_says)
    await harness.send(u.message(group.chat, group.ana, "/coordinators add",
                                 reply_to=bruno_says["message"]))
    assert last_text(harness, GROUP_ID).startswith("Bruno is not an admin")
    await harness.send(u.message(group.chat, group.bruno, "/coordinators add",
                                 reply_to=carla_says["message"]))
    assert last_text(harness, GROUP_ID) == "Sorry, only the group's admins can do that."
    names = [c.user_id for c in await harness.store.coordinators.list(GROUP_ID)]
    assert names == [group.ana["id"], group.carla["id"]]


async def test_anonymous_admins_and_channels_are_asked_to_answer_as_themselves(harness, group):
    u = harness.updates
    await harness.send(u.anonymous_admin_command(group.chat, "/setup"))
    assert last_text(harness, GROUP_ID).startswith("Please use your own account")
    q1 = await ask(harness, group)
    channel = u.channel(-1002000, "Riverside News")
    post = u.message_as_chat(group.chat, channel, "a comment from the channel")
    post["message"]["reply_to_message"] = q1
    await harness.send(post)
    assert last_text(harness, GROUP_ID).startswith("Please use your own account")
    prompt = await prompt_of(harness, q1)
    assert await harness.store.answers.for_prompt(prompt.id) == []
    assert GROUP_ANONYMOUS_BOT_ID not in [
        m.user_id for m in await harness.store.members.list_current(GROUP_ID)]


async def test_a_supergroup_upgrade_takes_everything_along(harness, group):
    q1 = await ask(harness, group)
    p1 = await prompt_of(harness, q1)
    await press(harness, group.chat, group.bruno, q1, f"1|r|{p1.id}|4")
    new_id = -1001234567890
    await harness.send(harness.updates.migrate(group.chat, new_id))
    supergroup = harness.updates.group_chat(new_id, "Riverside CSO", type="supergroup")
    await harness.send(harness.updates.migrated_from(supergroup, GROUP_ID))

    store = harness.store
    assert await store.chats.get(GROUP_ID) is None
    assert (await store.chats.get(new_id)).timezone == "Europe/Madrid"
    assert (await store.prompts.get(p1.id)).chat_id == new_id
    assert (await store.answers.get(p1.id, group.bruno["id"])).scale == 4
    assert await store.coordinators.is_coordinator(new_id, group.ana["id"])
    harness.telegram.set_chat_member(new_id, group.ana, "administrator")
    await harness.send(harness.updates.command(supergroup, group.ana, "/status"))
    assert last_text(harness, new_id).startswith("Programme: Civic partnership")
