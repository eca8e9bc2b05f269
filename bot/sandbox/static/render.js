// Telegram's formatted text, built as DOM nodes from the message's text and its entities
// (what Telegram itself stores after parsing the bot's HTML). Nothing here parses HTML:
// every character anyone wrote becomes a text node, so no text can become markup or script.

// Entity type -> element. Anything else is shown as plain text.
const ELEMENTS = {
  bold: "strong",
  italic: "em",
  underline: "u",
  strikethrough: "s",
  code: "code",
  pre: "pre",
  blockquote: "blockquote",
  expandable_blockquote: "blockquote",
  spoiler: "span",
  text_link: "a",
  url: "a",
};

// "/command" in a bot's message: Telegram makes it a link that sends the command.
const COMMAND = /(^|[\s(])(\/[A-Za-z][A-Za-z0-9_]{0,31})(?=$|[\s.,;:!?)])/g;

// A link the page may follow: the web, or Telegram's t.me (handled inside the sandbox).
export function safeHref(href) {
  try {
    const url = new URL(href);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

// A t.me link to the bot (or null): the page opens the chat and sends /start <payload>.
export function isBotLink(href, botUsername) {
  const url = safeHref(href);
  if (!url) return false;
  const parsed = new URL(url);
  return ["t.me", "telegram.me"].includes(parsed.hostname.toLowerCase()) &&
    parsed.pathname.replace(/\//g, "").toLowerCase() === botUsername.toLowerCase();
}

// text + entities -> a DocumentFragment. `actions.command(text)` and `actions.link(href)`
// are called when a command or a link is activated; commands are linked only when
// `linkCommands` is true (in the bot's messages, as Telegram does).
export function formattedText(text, entities, actions, linkCommands) {
  const fragment = document.createDocumentFragment();
  const usable = (entities || [])
    .filter((e) => Number.isInteger(e.offset) && Number.isInteger(e.length) && e.length > 0 &&
      e.offset >= 0 && e.offset + e.length <= text.length)
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  build(fragment, text, usable, 0, text.length, actions, linkCommands);
  return fragment;
}

// Entities are nested ranges (offsets in UTF-16 code units, which is what JavaScript strings
// index by). Each entity takes the ones inside it as children.
function build(parent, text, entities, start, end, actions, linkCommands) {
  let position = start;
  let index = 0;
  while (index < entities.length) {
    const entity = entities[index];
    const entityEnd = Math.min(entity.offset + entity.length, end);
    let next = index + 1;
    while (next < entities.length && entities[next].offset < entityEnd) next += 1;
    plain(parent, text.slice(position, entity.offset), actions, linkCommands);
    const children = entities.slice(index + 1, next).filter((e) => e.offset >= entity.offset);
    const { outer, inner } = element(entity, text.slice(entity.offset, entityEnd), actions);
    build(inner, text, children, entity.offset, entityEnd, actions, linkCommands && !inner.isLink);
    parent.append(outer);
    position = Math.max(position, entityEnd);
    index = next;
  }
  plain(parent, text.slice(position, end), actions, linkCommands);
}

function plain(parent, text, actions, linkCommands) {
  if (!text) return;
  if (!linkCommands) {
    parent.append(document.createTextNode(text));
    return;
  }
  let last = 0;
  for (const match of text.matchAll(COMMAND)) {
    const commandStart = match.index + match[1].length;
    parent.append(document.createTextNode(text.slice(last, commandStart)));
    const link = document.createElement("button");
    link.type = "button";
    link.className = "command-link";
    link.textContent = match[2];
    link.addEventListener("click", () => actions.command(match[2]));
    parent.append(link);
    last = commandStart + match[2].length;
  }
  parent.append(document.createTextNode(text.slice(last)));
}

function element(entity, covered, actions) {
  const tag = ELEMENTS[entity.type] || "span";
  if (tag === "a") return link(entity.type === "url" ? covered : entity.url, actions);
  const outer = document.createElement(tag);
  if (entity.type === "spoiler") {
    outer.className = "spoiler";
    outer.tabIndex = 0;
    outer.setAttribute("role", "button");
    outer.setAttribute("aria-label", "Spoiler: show");
    const reveal = () => {
      outer.classList.add("revealed");
      outer.removeAttribute("role");
      outer.removeAttribute("aria-label");
    };
    outer.addEventListener("click", reveal);
    outer.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") reveal();
    });
  }
  if (tag === "pre") {
    const code = document.createElement("code");
    outer.append(code);
    return { outer, inner: code };
  }
  return { outer, inner: outer };
}

function link(href, actions) {
  const url = safeHref(href || "");
  if (!url) {
    const span = document.createElement("span");
    return { outer: span, inner: span };
  }
  const anchor = document.createElement("a");
  anchor.href = url;
  anchor.rel = "noopener noreferrer";
  anchor.target = "_blank";
  anchor.isLink = true;
  anchor.addEventListener("click", (event) => {
    if (actions.link(url)) event.preventDefault();
  });
  return { outer: anchor, inner: anchor };
}

// The first line or so of a message, for reply previews and the composer's reply bar.
export function snippet(view) {
  if (view.text) return view.text.split("\n").find((line) => line.trim()) || view.text;
  if (view.photo) return "Photo";
  if (view.document) return view.document.name;
  return view.service || "";
}
