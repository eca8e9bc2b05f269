// The composer: the message box (Enter sends, Shift+Enter starts a new line), the reply bar,
// and the bot's command menu as Telegram shows it (the Menu button, or "/" typed first).

import { snippet } from "./render.js";

const $ = (id) => document.getElementById(id);

// page: { state, send(text, replyTo), commands() -> [{command, description}] }
export function createComposer(page) {
  const { state } = page;

  function setReply(view) {
    state.replyTo = view;
    $("replying").hidden = !view;
    $("replying-text").textContent = view ? `${view.from.name}: ${snippet(view)}` : "";
    $("composer-text").placeholder = (view && view.placeholder) || "Message";
  }

  function openMenu(filter = "") {
    const commands = page.commands().filter((c) => `/${c.command}`.startsWith(filter));
    const menu = $("menu");
    menu.replaceChildren(...commands.map((c) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "menu-item";
      const name = document.createElement("span");
      name.className = "menu-command";
      name.textContent = `/${c.command}`;
      const description = document.createElement("span");
      description.className = "menu-description";
      description.textContent = c.description;
      button.append(name, description);
      button.addEventListener("click", () => {
        closeMenu();
        $("composer-text").value = "";
        page.send(`/${c.command}`);
        $("composer-text").focus();
      });
      item.append(button);
      return item;
    }));
    state.menuOpen = commands.length > 0;
    menu.hidden = !state.menuOpen;
    $("menu-button").setAttribute("aria-expanded", String(state.menuOpen));
  }

  function closeMenu() {
    state.menuOpen = false;
    $("menu").hidden = true;
    $("menu-button").setAttribute("aria-expanded", "false");
  }

  function moveInMenu(step) {
    const items = [...$("menu").querySelectorAll("button")];
    const index = items.indexOf(document.activeElement);
    const next = items[(index + step + items.length) % items.length];
    if (next) next.focus();
  }

  function wireComposer() {
    const text = $("composer-text");
    $("composer").addEventListener("submit", (event) => {
      event.preventDefault();
      const value = text.value;
      const replyTo = state.replyTo ? state.replyTo.message_id : null;
      text.value = "";
      setReply(null);
      closeMenu();
      page.send(value, replyTo);
    });
    text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        $("composer").requestSubmit();
      } else if (event.key === "Escape") {
        closeMenu();
        setReply(null);
      } else if (event.key === "ArrowUp" && state.menuOpen) {
        event.preventDefault();
        moveInMenu(-1);
      }
    });
    text.addEventListener("input", () => {
      const value = text.value;
      if (value.startsWith("/") && !/\s/.test(value)) openMenu(value);
      else closeMenu();
    });
    $("menu-button").addEventListener("click", () => (state.menuOpen ? closeMenu() : openMenu()));
    $("menu").addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        moveInMenu(event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Escape") {
        closeMenu();
        text.focus();
      }
    });
    $("cancel-reply").addEventListener("click", () => {
      setReply(null);
      text.focus();
    });
    $("start").addEventListener("click", () => page.send("/start"));
  }

  wireComposer();
  return { setReply, closeMenu };
}
