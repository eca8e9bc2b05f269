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
      button.addEventListener("click", async () => {
        const typed = $("composer-text").value;
        closeMenu();
        $("composer-text").value = "";
        $("composer-text").focus();
        if (!(await page.send(`/${c.command}`)) && !$("composer-text").value) {
          $("composer-text").value = typed;
        }
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

  // From the box or the Menu button, ArrowDown goes to the first command, ArrowUp to the
  // last; within the menu they move and wrap round.
  function moveInMenu(step) {
    const items = [...$("menu").querySelectorAll("button")];
    const index = items.indexOf(document.activeElement);
    const from = index === -1 ? (step > 0 ? -1 : 0) : index;
    const next = items[(from + step + items.length) % items.length];
    if (next) next.focus();
  }

  function closeMenuTo(target) {
    closeMenu();
    target.focus();
  }

  function wireComposer() {
    const text = $("composer-text");
    $("composer").addEventListener("submit", async (event) => {
      event.preventDefault();
      const value = text.value;
      const reply = state.replyTo;
      text.value = "";
      setReply(null);
      closeMenu();
      // Not sent (the sandbox away, reconnecting; a refusal): the text comes back to the
      // box, unless something new was typed meanwhile, and the reply with it.
      if (!(await page.send(value, reply ? reply.message_id : null)) && !text.value) {
        text.value = value;
        if (reply) setReply(reply);
      }
    });
    text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        $("composer").requestSubmit();
      } else if (event.key === "Escape") {
        closeMenu();
        setReply(null);
      } else if ((event.key === "ArrowUp" || event.key === "ArrowDown") && state.menuOpen) {
        event.preventDefault();
        moveInMenu(event.key === "ArrowDown" ? 1 : -1);
      }
    });
    text.addEventListener("input", () => {
      const value = text.value;
      if (value.startsWith("/") && !/\s/.test(value)) openMenu(value);
      else closeMenu();
    });
    // Opened with the button, the menu takes the focus: Tab does not skip past it.
    $("menu-button").addEventListener("click", () => {
      if (state.menuOpen) {
        closeMenu();
        return;
      }
      openMenu();
      moveInMenu(1);
    });
    $("menu-button").addEventListener("keydown", (event) => {
      if ((event.key === "ArrowDown" || event.key === "ArrowUp") && !state.menuOpen) {
        event.preventDefault();
        openMenu();
        moveInMenu(event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Escape" && state.menuOpen) {
        closeMenuTo($("menu-button"));
      }
    });
    $("menu").addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        moveInMenu(event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Home" || event.key === "End") {
        event.preventDefault();
        const items = [...$("menu").querySelectorAll("button")];
        (event.key === "Home" ? items[0] : items[items.length - 1]).focus();
      } else if (event.key === "Escape") {
        closeMenuTo(text);
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
