// The Validate and Submit commands, written against injected Excel, fetch and
// dialog objects so that the tests can run them under Node.

import {
  AddinError,
  applyActions,
  buildPayload,
  callServer,
  isNeededSheet,
  MAX_PAYLOAD_CELLS,
  uploadWorkbook,
} from "./client.js";

export const CONFIRM_CALLBACK = "confirmSubmit";

// Count the cells that the payload would carry, from the used ranges alone.
export async function countNeededCells(context, include = isNeededSheet) {
  const worksheets = context.workbook.worksheets;
  worksheets.load("items/name");
  await context.sync();

  const used = worksheets.items
    .filter((sheet) => include(sheet.name))
    .map((sheet) => {
      const range = sheet.getUsedRangeOrNullObject(true);
      range.load("rowIndex,columnIndex,rowCount,columnCount");
      return range;
    });
  await context.sync();

  let cells = 0;
  for (const range of used) {
    if (!range.isNullObject) {
      cells += (range.rowIndex + range.rowCount) * (range.columnIndex + range.columnCount);
    }
  }

  return cells;
}

// Send the open workbook to `/addin/<command>`: as an xlwings payload, or as
// the file itself when it has more than `maxCells` cells to send.
export async function sendWorkbook(context, command, query, env) {
  const { origin, settings, fetchImpl, document } = env;
  const maxCells = env.maxCells ?? MAX_PAYLOAD_CELLS;
  const token = settings.token;
  const cells = await countNeededCells(context);
  if (cells > maxCells) {
    // NOTE: whether getFileAsync includes edits not yet saved was not checked
    // in a running Excel, so docs/addin.md tells users to save large reports.
    context.workbook.load("name");
    await context.sync();
    const name = context.workbook.name;
    const uploadId = await uploadWorkbook({ origin, token, name, document, fetchImpl });
    return callServer(`/addin/files/${uploadId}/${command}${query}`, {
      origin,
      token,
      fetchImpl,
      body: {},
    });
  }

  const payload = await buildPayload(context);
  return callServer(`/addin/${command}${query}`, {
    origin,
    token,
    fetchImpl,
    body: payload,
  });
}

async function exchange(env, command, query) {
  return env.excel.run(async (context) => {
    const result = await sendWorkbook(context, command, query, env);
    const alerts = await applyActions(context, result.actions ?? []);
    return { result, alerts };
  });
}

async function showAll(ui, alerts) {
  const answers = [];
  for (const alert of alerts) {
    answers.push({ alert, button: await ui.show(alert) });
  }

  return answers;
}

// Validate: the server writes each row's status and marks the bad cells, and
// the dialog gives the counts and the first error.
export async function runValidate(env) {
  const { result, alerts } = await exchange(env, "validate", "");
  await showAll(env.ui, alerts);

  return result;
}

// Submit: validate and preview, ask for confirmation, then run Update Users
// with the preview's digest so that the server applies exactly what was shown.
export async function runSubmit(env) {
  const first = await exchange(env, "submit", "");
  const answers = await showAll(env.ui, first.alerts);
  const preview = first.result.preview;
  if (!preview) {
    return { applied: false, result: first.result };
  }

  const confirmed = answers.some(
    ({ alert, button }) => alert.callback === CONFIRM_CALLBACK && button === "ok",
  );
  if (!confirmed) {
    return { applied: false, result: first.result };
  }

  const query = `?confirm=${encodeURIComponent(preview.digest)}`;
  const second = await exchange(env, "submit", query);
  await showAll(env.ui, second.alerts);

  return { applied: Boolean(second.result.batch), result: second.result };
}

// Turn any failure into the text of an error dialog.
export function describeError(error) {
  if (error instanceof AddinError) {
    return error.message;
  }

  const detail = error?.message ?? String(error);
  return (
    `Excel reported an error: ${detail}. Nothing was sent to the server after ` +
    "this point. Run the command again, and tell your administrator if it persists."
  );
}

export async function runCommand(work, env) {
  try {
    return await work(env);
  } catch (error) {
    await env.ui.show({
      prompt: describeError(error),
      title: "SIS Data Prep",
      buttons: "ok",
      mode: "critical",
      callback: "",
    });
    return null;
  }
}
