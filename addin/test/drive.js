// Run add-in commands with the real client against a live server.
//
// The Python test tests/addin/test_client_e2e.py starts the server and sends
// a JSON job on standard input: the server's origin, a token, the commands
// to run in order ("accept", "validate" or "submit"), the minimum suggestion
// score, the dialog buttons to press, and the workbook as the add-in's
// payload. The workbook lives in a FakeWorkbook, the Mapping sheets protected
// as in a real report. The script prints each command's result, the dialogs
// shown and the sheets afterwards as JSON.

import { runCommand, runSubmit, runValidate } from "../workflow.js";
import { FakeWorkbook, makeSheet, scriptedUi } from "./fake-excel.js";

// taskpane.js calls Office.onReady when it is imported.
globalThis.Office = { onReady: () => Promise.resolve() };
const { acceptSuggestions } = await import("../taskpane.js");

const COMMANDS = { accept: acceptSuggestions, validate: runValidate, submit: runSubmit };

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }

  return JSON.parse(Buffer.concat(chunks).toString("utf-8"));
}

const job = await readStdin();
// The payload sends [[]] for a sheet whose values it leaves out, and the
// FakeWorkbook needs no cells for those.
function cellsOf(values) {
  return values.length === 1 && values[0].length === 0 ? [] : values;
}

const sheets = job.workbook.sheets.map((sheet) =>
  makeSheet(sheet.name, cellsOf(sheet.values), {
    visibility: sheet.visibility,
    protected: sheet.name.startsWith("Mapping"),
  }),
);
const workbook = new FakeWorkbook(sheets, { name: job.workbook.book.name });
const ui = scriptedUi(job.answers ?? []);
const results = [];
for (const command of job.commands ?? [job.command]) {
  // runCommand shows a failure in a dialog and returns null, as the ribbon does.
  const result = await runCommand(COMMANDS[command], {
    excel: workbook.excel(),
    origin: job.origin,
    settings: { token: job.token, minScore: job.minScore ?? 90 },
    fetchImpl: fetch,
    ui,
  });
  results.push(result);
}

process.stdout.write(
  JSON.stringify({
    result: results.at(-1),
    results,
    shown: ui.shown,
    sheets: Object.fromEntries(
      workbook.sheets.map((sheet) => [
        sheet.name,
        {
          cells: sheet.cells,
          protected: sheet.protection.protected,
          fills: [...sheet.fills],
        },
      ]),
    ),
  }),
);
