// Messages and confirmations shown through Office's dialog API, because a
// function command has no page of its own to show them on.

import { AddinError } from "./client.js";

// Dialog size in percent of the Excel window.
const DIALOG_OPTIONS = { height: 45, width: 35, displayInIframe: true };

export function dialogUrl(origin, alert) {
  const params = new URLSearchParams({
    title: alert.title,
    prompt: alert.prompt,
    buttons: alert.buttons,
    mode: alert.mode,
  });

  return `${origin}/addin/dialog.html?${params}`;
}

// Return an object whose show(alert) opens a dialog and resolves with the
// button pressed: "ok", "cancel", "yes" or "no" ("cancel" when closed).
export function createDialogUi(origin, office = globalThis.Office) {
  function show(alert) {
    return new Promise((resolve, reject) => {
      office.context.ui.displayDialogAsync(
        dialogUrl(origin, alert),
        DIALOG_OPTIONS,
        (result) => {
          if (result.status !== office.AsyncResultStatus.Succeeded) {
            reject(
              new AddinError(
                `Excel could not open a dialog (${result.error?.message}). ` +
                  `The message was: ${alert.prompt}`,
              ),
            );
            return;
          }

          const dialog = result.value;
          dialog.addEventHandler(office.EventType.DialogMessageReceived, (arg) => {
            dialog.close();
            resolve(String(arg.message));
          });
          dialog.addEventHandler(office.EventType.DialogEventReceived, () => {
            resolve("cancel");
          });
        },
      );
    });
  }

  return { show };
}
