// One message as a list item: sender, reply preview, photo, document, formatted text,
// time, reactions, inline keyboard and a Reply button. Only DOM nodes and text nodes.

import { formattedText, snippet } from "./render.js";

// Times in the person's own zone (undefined: this browser's), as their phone shows them.
const FORMATS = new Map();

function formatIn(zone, parts) {
  const name = `${zone || ""}|${JSON.stringify(parts)}`;
  if (!FORMATS.has(name)) {
    FORMATS.set(name, new Intl.DateTimeFormat("en-GB", { ...parts, timeZone: zone }));
  }
  return FORMATS.get(name);
}

export function dayLabel(timestamp, zone) {
  return formatIn(zone, { weekday: "long", day: "numeric", month: "long" })
    .format(new Date(timestamp * 1000));
}

export function timeLabel(timestamp, zone) {
  return formatIn(zone, { hour: "2-digit", minute: "2-digit" }).format(new Date(timestamp * 1000));
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function daySeparator(timestamp, zone) {
  const item = el("li", "day");
  item.append(el("span", "", dayLabel(timestamp, zone)));
  return item;
}

// ctx: { me, isGroup, zone, actions: { press, url, link, command, reply, jump } }
export function messageItem(view, ctx) {
  const item = el("li");
  item.dataset.id = String(view.message_id);
  item.tabIndex = -1;
  if (view.service) {
    item.className = "service";
    item.append(el("span", "", view.service));
    return item;
  }
  const mine = view.from.id === ctx.me;
  item.className = `msg ${mine ? "out" : "in"}${view.from.is_bot ? " from-bot" : ""}`;
  const bubble = el("div", "bubble");
  if (!mine && ctx.isGroup) {
    bubble.append(el("p", "sender", view.from.is_bot ? `${view.from.name} · bot` : view.from.name));
  }
  if (view.reply_to) bubble.append(replyPreview(view.reply_to, ctx));
  if (view.photo) {
    // A tap opens the picture full size (a phone's screen shrinks a chart's labels).
    const full = el("a", "photo-link");
    full.href = view.photo.url;
    full.target = "_blank";
    full.rel = "noopener";
    const picture = el("img", "photo");
    picture.src = view.photo.url;
    picture.alt = view.text ? `Picture: ${view.text.split("\n")[0]}`
      : `Picture sent by ${view.from.name}`;
    full.setAttribute("aria-label", `${picture.alt} (open full size)`);
    full.append(picture);
    bubble.append(full);
  }
  if (view.document) {
    const file = el("a", "document", `📄 ${view.document.name}`);
    file.href = view.document.url;
    file.download = view.document.name;
    bubble.append(file);
  }
  if (view.text) {
    const text = el("div", "text");
    text.dir = "auto";  // right-to-left text is laid out so, as in Telegram
    text.append(formattedText(view.text, view.entities, ctx.actions, view.from.is_bot));
    bubble.append(text);
  }
  const meta = el("p", "meta");
  if (view.edited) meta.append(el("span", "edited", "edited"));
  const time = el("time", "", timeLabel(view.date, ctx.zone));
  time.dateTime = new Date(view.date * 1000).toISOString();
  meta.append(time);
  bubble.append(meta);
  if (view.reactions.length) {
    // Words before the emoji: a paragraph's aria-label is not read, and "✍" alone is a
    // symbol that says nothing of what it is.
    const reactions = el("p", "reactions");
    reactions.append(el("span", "visually-hidden", "Reactions: "));
    for (const emoji of view.reactions) reactions.append(el("span", "reaction", emoji));
    bubble.append(reactions);
  }
  item.append(bubble);
  if (view.keyboard) item.append(keyboard(view, ctx));
  const reply = el("button", "reply-button", "↩ Reply");
  reply.type = "button";
  reply.setAttribute("aria-label", `Reply to ${view.from.name}: ${snippet(view).slice(0, 60)}`);
  reply.addEventListener("click", () => ctx.actions.reply(view));
  item.append(reply);
  return item;
}

function replyPreview(replied, ctx) {
  const quote = el("button", "quote");
  quote.type = "button";
  const quoted = el("span", "quote-text", replied.text);
  quoted.dir = "auto";
  // Its name is what it shows, with words for a screen reader around it.
  quote.append(el("span", "visually-hidden", "In reply to "), el("span", "quote-from", replied.from),
    el("span", "visually-hidden", ": "), quoted, el("span", "visually-hidden", " (show it)"));
  quote.addEventListener("click", () => ctx.actions.jump(replied.message_id));
  return quote;
}

function keyboard(view, ctx) {
  const board = el("div", "keyboard");
  board.setAttribute("role", "group");
  board.setAttribute("aria-label", "Buttons under this message");
  for (const row of view.keyboard) {
    const line = el("div", "keyboard-row");
    for (const button of row) {
      const key = el("button", "key", button.text);
      key.type = "button";
      key.dataset.key = button.callback_data || button.url || button.text;
      if (button.url) {
        // A link, as Telegram's apps say it: the ↗ shows it, a screen reader says "link"
        // (and not "north east arrow").
        key.classList.add("url");
        key.setAttribute("role", "link");
        const mark = el("span", "url-mark", " ↗");
        mark.setAttribute("aria-hidden", "true");
        key.append(mark);
        key.addEventListener("click", () => ctx.actions.url(button.url));
      } else if (button.callback_data) {
        key.addEventListener("click", () => ctx.actions.press(view, button.callback_data));
      } else {
        key.disabled = true;
      }
      line.append(key);
    }
    board.append(line);
  }
  return board;
}
