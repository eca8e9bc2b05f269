// The sandbox page: who you are, your chats, the messages, the composer with the bot's
// command menu, and the time controls. Live changes come as server-sent events.

import { daySeparator, dayLabel, messageItem } from "./messages.js";
import { createComposer } from "./composer.js";
import { isBotLink, safeHref, snippet } from "./render.js";

const $ = (id) => document.getElementById(id);
const CLOCK_PARTS = {
  weekday: "short", day: "numeric", month: "short", year: "numeric",
  hour: "2-digit", minute: "2-digit",
};
const CLOCK = new Intl.DateTimeFormat("en-GB", CLOCK_PARTS);
const state = {
  bot: null, people: [], chats: [], menus: {}, messages: new Map(), unread: new Map(),
  me: null, chatId: null, replyTo: null, menuOpen: false, zones: {},
};
// Each tab keeps its own person and chat on reload (sessionStorage is per tab).
const remembered = window.sessionStorage;

// -- talking to the sandbox ---------------------------------------------------------------
async function post(path, body) {
  const response = await fetch(path, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok || answer.error) {
    throw new Error(answer.error || `The sandbox answered ${response.status}.`);
  }
  return answer;
}

// Each action clears the last one's line; a refusal says whose action it was and what.
async function attempt(work, about) {
  const who = state.me;
  setStatus("");
  try {
    return await work();
  } catch (error) {
    setStatus(`${firstName(who)}, ${about}: ${error.message}`);
    return null;
  }
}

function connect() {
  const events = new EventSource("/api/events");
  events.onmessage = (message) => handle(JSON.parse(message.data));
  events.onerror = () => setStatus("Lost the sandbox; trying to reconnect…");
}

function handle(event) {
  if (event.type === "state") loadState(event.state);
  else if (event.type === "message") upsert(event.message);
  else if (event.type === "deleted") remove(event.chat_id, event.message_id);
  else if (event.type === "popup" && event.user_id === state.me) {
    showToast(event.text, event.alert, event.user_id);
  }
  else if (event.type === "menus") state.menus = event.menus;
  else if (event.type === "clock") setClock(event.now);
  else if (event.type === "zones") setZones(event.zones);
}

// Times show in the person's zone, as on their phone: re-drawn when it changes.
function setZones(zones) {
  const before = zoneOf(state.me);
  state.zones = zones || {};
  if (zoneOf(state.me) !== before && state.chatId !== null) {
    renderMessages();
    showClock();
  }
}

const zoneOf = (id) => state.zones[String(id)] || undefined;

// -- state ----------------------------------------------------------------------------------
function loadState(snapshot) {
  Object.assign(state, { bot: snapshot.bot, people: snapshot.people, chats: snapshot.chats,
    menus: snapshot.menus, zones: snapshot.zones || {} });
  state.messages = new Map(Object.entries(snapshot.messages).map(
    ([chatId, views]) => [Number(chatId), new Map(views.map((v) => [v.message_id, v]))]));
  const saved = Number(remembered.getItem("sandbox.me"));
  state.me = state.people.some((p) => p.id === saved) ? saved : state.people[0].id;
  const savedChat = Number(remembered.getItem("sandbox.chat"));
  const current = state.chatId;
  state.chatId = [current, savedChat].find((id) => visibleChats().some((c) => c.id === id)) ??
    state.chats[0].id;
  setClock(snapshot.now);
  renderPeople();
  openChat(state.chatId);
  setStatus("");
}

const person = (id) => state.people.find((p) => p.id === id);
const firstName = (id) => (person(id) || { first_name: "someone" }).first_name;
const chat = (id) => state.chats.find((c) => c.id === id);
const visibleChats = () => state.chats.filter((c) => c.type === "group" || c.owner === state.me);
const chatMessages = (id) => state.messages.get(id) || new Map();

function upsert(view) {
  if (!state.messages.has(view.chat_id)) state.messages.set(view.chat_id, new Map());
  const messages = state.messages.get(view.chat_id);
  const isNew = !messages.has(view.message_id);
  messages.set(view.message_id, view);
  if (view.chat_id === state.chatId) {
    showMessage(view, isNew);
    if (isNew && view.force_reply && view.from.is_bot && !state.replyTo) setReply(view);
  } else if (isNew && visibleChats().some((c) => c.id === view.chat_id)) {
    state.unread.set(view.chat_id, (state.unread.get(view.chat_id) || 0) + 1);
  }
  renderChatList();
}

function remove(chatId, messageId) {
  chatMessages(chatId).delete(messageId);
  if (chatId === state.chatId) renderMessages();
}

// -- rendering ------------------------------------------------------------------------------
function renderPeople() {
  const select = $("me");
  select.replaceChildren(...state.people.map((p) => {
    const option = document.createElement("option");
    option.value = String(p.id);
    option.textContent = `${p.name} (${p.role})`;
    return option;
  }));
  select.value = String(state.me);
}

function renderChatList() {
  $("chat-list").replaceChildren(...visibleChats().map((c) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "chat-item";
    if (c.id === state.chatId) button.setAttribute("aria-current", "true");
    const title = document.createElement("span");
    title.className = "chat-title";
    title.textContent = c.type === "group" ? c.title : `${c.title} (bot)`;
    const last = [...chatMessages(c.id).values()].pop();
    const preview = document.createElement("span");
    preview.className = "chat-preview";
    preview.textContent = last ? snippet(last) : "";
    button.append(title, preview);
    const unread = state.unread.get(c.id);
    if (unread) {
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = String(unread);
      badge.setAttribute("aria-label", `${unread} unread`);
      button.append(badge);
    }
    button.addEventListener("click", () => openChat(c.id));
    item.append(button);
    return item;
  }));
}

function openChat(chatId) {
  state.chatId = chatId;
  state.unread.delete(chatId);
  remembered.setItem("sandbox.chat", String(chatId));
  setReply(null);
  closeMenu();
  const current = chat(chatId);
  $("chat-title").textContent = current.title;
  $("chat-sub").textContent = current.type === "group"
    ? `${current.members} members and ${state.bot.name}` : `bot · @${state.bot.username}`;
  renderChatList();
  renderMessages();
}

function messageContext() {
  return { me: state.me, isGroup: chat(state.chatId).type === "group", actions,
    zone: zoneOf(state.me) };
}

function renderMessages() {
  const list = $("messages");
  const items = [];
  let day = null;
  for (const view of chatMessages(state.chatId).values()) {
    const label = dayLabel(view.date, zoneOf(state.me));
    if (label !== day) items.push(daySeparator(view.date, zoneOf(state.me)));
    day = label;
    items.push(messageItem(view, messageContext()));
  }
  list.replaceChildren(...items);
  const empty = items.length === 0 && chat(state.chatId).type === "private";
  $("start").hidden = !empty;
  $("composer").hidden = empty;
  stayAtBottom(list);
}

// To the newest message, and there again when a picture above it has loaded.
function stayAtBottom(list) {
  list.scrollTop = list.scrollHeight;
  for (const picture of list.querySelectorAll("img")) {
    if (!picture.complete) {
      picture.addEventListener("load", () => { list.scrollTop = list.scrollHeight; },
        { once: true });
    }
  }
}

function showMessage(view, isNew) {
  const list = $("messages");
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 120;
  const item = messageItem(view, messageContext());
  const existing = list.querySelector(`li[data-id="${view.message_id}"]`);
  if (existing) {
    replaceKeepingFocus(existing, item);
    return;
  }
  const views = [...chatMessages(state.chatId).values()];
  const before = views[views.length - 2];
  const zone = zoneOf(state.me);
  if (!before || dayLabel(before.date, zone) !== dayLabel(view.date, zone)) {
    list.append(daySeparator(view.date, zone));
  }
  list.append(item);
  $("start").hidden = true;
  $("composer").hidden = false;
  if (isNew && (nearBottom || view.from.id === state.me)) stayAtBottom(list);
}

// An edit redraws the message; whoever was on one of its buttons stays on it.
function replaceKeepingFocus(old, fresh) {
  const focused = old.contains(document.activeElement) ? document.activeElement : null;
  old.replaceWith(fresh);
  if (!focused) return;
  const key = focused.dataset.key;
  const same = key && [...fresh.querySelectorAll(".key")].find((k) => k.dataset.key === key);
  (same || fresh).focus();
}

// -- actions from messages ------------------------------------------------------------------
const actions = {
  press: (view, data) => attempt(() => post("/api/press", {
    user_id: state.me, chat_id: view.chat_id, message_id: view.message_id, data }),
  "your tap on a button"),
  url: (url) => followLink(url),
  link: (url) => {
    if (!isBotLink(url, state.bot.username)) return false;
    followLink(url);
    return true;
  },
  command: (command) => send(command),
  reply: (view) => {
    setReply(view);
    $("composer-text").focus();
  },
  jump: (messageId) => {
    const item = $("messages").querySelector(`li[data-id="${messageId}"]`);
    if (!item) return;
    item.scrollIntoView({ block: "center" });
    item.classList.add("flash");
    item.focus();
    setTimeout(() => item.classList.remove("flash"), 1200);
  },
};

async function followLink(url) {
  if (!isBotLink(url, state.bot.username)) {
    const safe = safeHref(url);
    if (safe) window.open(safe, "_blank", "noopener,noreferrer");
    return;
  }
  // Telegram opens the bot's chat and sends /start <payload>; the page shows that chat.
  openChat(state.me);
  await attempt(() => post("/api/link", { user_id: state.me, url }), "the link you opened");
}

// True once the sandbox has it: the composer keeps the text until then.
async function send(text, replyTo = null) {
  if (!text.trim()) return true;
  const sent = await attempt(() => post("/api/send", {
    user_id: state.me, chat_id: state.chatId, text, reply_to: replyTo }), "your message");
  return sent !== null;
}

// -- people, time controls, pop-ups ---------------------------------------------------------
function wireControls() {
  $("me").addEventListener("change", (event) => {
    state.me = Number(event.target.value);
    remembered.setItem("sandbox.me", String(state.me));
    state.unread.clear();
    // A pop-up and a status line belong to the person they were shown to.
    hideToast();
    setStatus("");
    openChat(chat(state.chatId).type === "group" ? state.chatId : state.me);
    showClock();
  });
  const controls = {
    "next-question": () => post("/api/time/next-question",
      { user_id: state.me, chat_id: state.chatId }),
    others: () => post("/api/others", { user_id: state.me }),
    summary: () => post("/api/time/weekly-summary", { user_id: state.me }),
    week: () => post("/api/time/week-later", { user_id: state.me }),
  };
  const buttons = Object.keys(controls).map((id) => $(id));
  for (const [id, run] of Object.entries(controls)) {
    $(id).addEventListener("click", async () => {
      buttons.forEach((b) => { b.disabled = true; });
      document.querySelector(".time").setAttribute("aria-busy", "true");
      const about = $(id).textContent;
      const pending = attempt(run, `“${about}”`);
      setStatus(`${about}: working…`);
      const answer = await pending;
      if (answer) setStatus(`${about}: ${answer.status}`);
      // It acted on another chat than the open one (the group, from a private chat
      // without a programme): show that chat, where its message came.
      if (answer && answer.chat_id && answer.chat_id !== state.chatId &&
          visibleChats().some((c) => c.id === answer.chat_id)) {
        openChat(answer.chat_id);
      }
      buttons.forEach((b) => { b.disabled = false; });
      document.querySelector(".time").removeAttribute("aria-busy");
      $(id).focus();
    });
  }
  $("toast-ok").addEventListener("click", hideToast);
}

let toastTimer = null;
let focusBeforeToast = null;

function showToast(text, alert, userId) {
  clearTimeout(toastTimer);
  $("toast-who").textContent = `Only ${firstName(userId)} sees this`;
  $("toast-text").textContent = text;
  $("toast").hidden = false;
  $("toast").classList.toggle("alert", alert);
  $("toast-ok").hidden = !alert;
  if (alert) {
    focusBeforeToast = document.activeElement;
    $("toast-ok").focus();
  } else {
    toastTimer = setTimeout(hideToast, 4000);
  }
}

function hideToast() {
  clearTimeout(toastTimer);
  if ($("toast").hidden) return;
  $("toast").hidden = true;
  if (focusBeforeToast) focusBeforeToast.focus();
  focusBeforeToast = null;
}

function setStatus(text) {
  $("status").textContent = text;
}

// The sandbox's time runs on between jumps: keep its distance from this computer's clock.
let clockAhead = 0;

function setClock(now) {
  clockAhead = now * 1000 - Date.now();
  showClock();
}

function showClock() {
  const now = new Date(Date.now() + clockAhead);
  const zone = zoneOf(state.me);
  const format = zone ? new Intl.DateTimeFormat("en-GB", { ...CLOCK_PARTS, timeZone: zone })
    : CLOCK;
  $("clock").textContent = `${format.format(now)}${zone ? ` (${zone})` : ""}`;
  $("clock").dateTime = now.toISOString();
}

setInterval(showClock, 15000);

function menuCommands() {
  const scope = chat(state.chatId).type === "group" ? "group" : "private";
  const language = person(state.me).language;
  const menus = state.menus[scope] || state.menus.default || {};
  return menus[language] || menus[""] || [];
}

const { setReply, closeMenu } = createComposer({ state, send, commands: menuCommands });
wireControls();
connect();
