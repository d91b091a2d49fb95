// The dialog page: shows one message and sends the button pressed back to the
// command that opened it.

const BUTTONS = {
  ok: ["ok"],
  ok_cancel: ["ok", "cancel"],
  yes_no: ["yes", "no"],
  yes_no_cancel: ["yes", "no", "cancel"],
};
const LABELS = { ok: "OK", cancel: "Cancel", yes: "Yes", no: "No" };

export function renderDialog(document, params, send) {
  document.getElementById("title").textContent = params.get("title") || "SIS Data Prep";
  const prompt = document.getElementById("prompt");
  prompt.textContent = params.get("prompt") || "";
  if (params.get("mode") === "critical") {
    prompt.classList.add("critical");
  }

  const container = document.getElementById("buttons");
  const names = BUTTONS[params.get("buttons")] ?? BUTTONS.ok;
  for (const name of names) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = LABELS[name];
    button.addEventListener("click", () => send(name));
    container.appendChild(button);
  }
}

Office.onReady(() => {
  renderDialog(document, new URLSearchParams(location.search), (name) =>
    Office.context.ui.messageParent(name),
  );
});
