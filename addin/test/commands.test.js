import assert from "node:assert/strict";
import { test } from "node:test";

// commands.js and dialog.js call Office at import time, so Office is set
// before they are imported.
const associated = new Map();
globalThis.Office = {
  onReady: () => Promise.resolve(),
  actions: { associate: (name, handler) => associated.set(name, handler) },
};

test("commands register with Office.actions.associate", async () => {
  const commands = await import("../commands.js");

  assert.deepEqual([...associated.keys()], ["validate", "submit"]);
  assert.equal(associated.get("validate"), commands.validate);
  assert.equal(associated.get("submit"), commands.submit);
});

test("dialog renders the buttons and sends the choice", async () => {
  const { renderDialog } = await import("../dialog.js");
  const elements = new Map();
  const document = {
    getElementById: (id) => {
      if (!elements.has(id)) {
        elements.set(id, {
          textContent: "",
          children: [],
          classList: { names: new Set(), add(name) { this.names.add(name); } },
          appendChild(child) { this.children.push(child); },
        });
      }
      return elements.get(id);
    },
    createElement: () => ({
      listeners: {},
      addEventListener(type, handler) { this.listeners[type] = handler; },
    }),
  };
  const sent = [];
  const params = new URLSearchParams({ title: "Submit", prompt: "Run Update Users?", buttons: "ok_cancel", mode: "critical" });

  renderDialog(document, params, (name) => sent.push(name));
  const buttons = elements.get("buttons").children;
  buttons[1].listeners.click();

  assert.equal(elements.get("title").textContent, "Submit");
  assert.equal(elements.get("prompt").textContent, "Run Update Users?");
  assert.ok(elements.get("prompt").classList.names.has("critical"));
  assert.deepEqual(buttons.map((button) => button.textContent), ["OK", "Cancel"]);
  assert.deepEqual(sent, ["cancel"]);
});
