// The ribbon's function commands. Each one is registered under the
// FunctionName that manifest.xml gives its button.

import { loadSettings } from "./client.js";
import { createDialogUi } from "./dialog-ui.js";
import { runCommand, runSubmit, runValidate } from "./workflow.js";

function environment() {
  const origin = globalThis.location.origin;

  return {
    excel: globalThis.Excel,
    origin,
    settings: loadSettings(),
    fetchImpl: globalThis.fetch.bind(globalThis),
    document: globalThis.Office.context.document,
    ui: createDialogUi(origin),
  };
}

// Office waits for event.completed() before it runs the next command, so it is
// called also when the command fails.
export async function validate(event) {
  try {
    await runCommand(runValidate, environment());
  } finally {
    event.completed();
  }
}

export async function submit(event) {
  try {
    await runCommand(runSubmit, environment());
  } finally {
    event.completed();
  }
}

Office.onReady(() => {});
Office.actions.associate("validate", validate);
Office.actions.associate("submit", submit);
