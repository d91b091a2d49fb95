import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";

import { META_SHEET } from "../client.js";
import { dialogUrl, createDialogUi } from "../dialog-ui.js";
import {
  CONFIRM_CALLBACK,
  countNeededCells,
  describeError,
  runCommand,
  runSubmit,
  runValidate,
} from "../workflow.js";
import {
  FakeWorkbook,
  fakeOffice,
  makeSheet,
  mappingCells,
  metaCells,
  recordingFetch,
  scriptedUi,
} from "./fake-excel.js";

const ORIGIN = "https://127.0.0.1:5443";

function reportWorkbook(rows = 3) {
  return new FakeWorkbook([
    makeSheet("Mapping", mappingCells(rows), { protected: true }),
    makeSheet(META_SHEET, metaCells(), { visibility: "VeryHidden" }),
  ]);
}

function statusAction(statuses) {
  return {
    func: "setValues",
    args: [],
    values: statuses.map((status) => [status]),
    sheet_position: 0,
    start_row: 2,
    start_column: 24,
    row_count: statuses.length,
    column_count: 1,
  };
}

function alertAction(prompt, buttons = "ok", callback = "") {
  return { func: "alert", args: [prompt, "SIS Data Prep", buttons, "info", callback] };
}

function environment(workbook, handler, answers = [], extra = {}) {
  const { fetchImpl, requests } = recordingFetch(handler);
  const ui = scriptedUi(answers);
  return {
    env: {
      excel: workbook.excel(),
      origin: ORIGIN,
      settings: { token: "tok-admin", minScore: 90 },
      fetchImpl,
      ui,
      ...extra,
    },
    requests,
    ui,
  };
}

describe("runValidate", () => {
  test("writes statuses and shows the counts", async () => {
    const workbook = reportWorkbook();
    const { env, requests, ui } = environment(workbook, () => ({
      status: 200,
      body: {
        actions: [
          statusAction(["OK", "Error: Mapping!W4: unknown ID", "OK"]),
          {
            func: "setRangeColor",
            args: ["#FFC7CE"],
            sheet_position: 0,
            start_row: 3,
            start_column: 22,
            row_count: 1,
            column_count: 1,
          },
          alertAction("1 error, 0 warnings, 2 OK. The first error is at Mapping!W4."),
        ],
        counts: { error: 1, warning: 0, ok: 2 },
      },
    }));

    const result = await runValidate(env);
    const sheet = workbook.sheets[0];

    assert.equal(requests.length, 1);
    assert.equal(requests[0].url, `${ORIGIN}/addin/validate`);
    assert.equal(JSON.parse(requests[0].body).sheets[0].values.length, 5);
    assert.equal(sheet.cells[3][24], "Error: Mapping!W4: unknown ID");
    assert.equal(sheet.fills.get("3,22,1,1"), "#FFC7CE");
    assert.equal(sheet.protection.protected, true);
    assert.match(ui.shown[0].prompt, /first error is at Mapping!W4/);
    assert.deepEqual(result.counts, { error: 1, warning: 0, ok: 2 });
  });

  test("large workbook is sent as a file", async () => {
    const workbook = reportWorkbook(10);
    const office = fakeOffice({ fileBytes: new Uint8Array([80, 75, 3, 4]) });
    const saved = globalThis.Office;
    globalThis.Office = office;
    try {
      const { env, requests } = environment(
        workbook,
        (url) => {
          if (url.endsWith("/addin/files")) {
            return { status: 201, body: { upload_id: "u9" } };
          }
          if (url.includes("/slices/")) {
            return { status: 200, body: { received: 4 } };
          }
          return { status: 200, body: { actions: [statusAction(Array(10).fill("OK"))] } };
        },
        [],
        { maxCells: 100, document: office.context.document },
      );

      await runValidate(env);

      assert.deepEqual(
        requests.map((request) => request.url.replace(ORIGIN, "")),
        ["/addin/files", "/addin/files/u9/slices/0", "/addin/files/u9/validate"],
      );
      assert.equal(JSON.parse(requests[0].body).name, "report.xlsx");
      assert.equal(workbook.sheets[0].cells[11][24], "OK");
    } finally {
      globalThis.Office = saved;
    }
  });

  test("counts only the needed sheets", async () => {
    const workbook = new FakeWorkbook([
      makeSheet("SIS Users", mappingCells(50)),
      makeSheet("Mapping", mappingCells(3)),
      makeSheet(META_SHEET, metaCells()),
    ]);

    assert.equal(await countNeededCells(workbook.context()), 5 * 29 + 3 * 2);
  });
});

describe("runSubmit", () => {
  const preview = { digest: "abc123", changes: 2 };

  test("confirmed preview runs Update Users", async () => {
    const workbook = reportWorkbook();
    const { env, requests, ui } = environment(
      workbook,
      (url) =>
        url.includes("confirm=")
          ? {
              status: 200,
              body: {
                batch: { id: 12, applied_at: "2026-12-04T10:15:00Z" },
                actions: [
                  statusAction(["Updated in batch 12", "Updated in batch 12", "OK"]),
                  alertAction("Update Users changed 2 users in batch 12."),
                ],
              },
            }
          : {
              status: 200,
              body: {
                preview,
                actions: [
                  statusAction(["OK", "OK", "OK"]),
                  alertAction("2 users will change. Run Update Users?", "ok_cancel", CONFIRM_CALLBACK),
                ],
              },
            },
      ["ok", "ok"],
    );

    const outcome = await runSubmit(env);

    assert.equal(outcome.applied, true);
    assert.equal(requests.length, 2);
    assert.equal(requests[0].url, `${ORIGIN}/addin/submit`);
    assert.equal(requests[1].url, `${ORIGIN}/addin/submit?confirm=abc123`);
    assert.equal(workbook.sheets[0].cells[2][24], "Updated in batch 12");
    assert.equal(ui.shown[1].prompt, "Update Users changed 2 users in batch 12.");
    assert.equal(workbook.sheets[0].protection.protected, true);
  });

  test("cancelled preview changes nothing", async () => {
    const workbook = reportWorkbook();
    const { env, requests } = environment(
      workbook,
      () => ({
        status: 200,
        body: {
          preview,
          actions: [alertAction("2 users will change.", "ok_cancel", CONFIRM_CALLBACK)],
        },
      }),
      ["cancel"],
    );

    const outcome = await runSubmit(env);

    assert.equal(outcome.applied, false);
    assert.equal(requests.length, 1);
  });

  test("errors stop Submit after the first request", async () => {
    const workbook = reportWorkbook();
    const { env, requests, ui } = environment(workbook, () => ({
      status: 200,
      body: {
        preview: null,
        actions: [
          statusAction(["OK", "Error: Mapping!W4: unknown ID", "OK"]),
          alertAction("1 error: nothing was changed. Fix the rows marked Error."),
        ],
      },
    }));

    const outcome = await runSubmit(env);

    assert.equal(outcome.applied, false);
    assert.equal(requests.length, 1);
    assert.equal(workbook.sheets[0].cells[3][24], "Error: Mapping!W4: unknown ID");
    assert.match(ui.shown[0].prompt, /nothing was changed/);
  });

  test("viewer token error is shown in a dialog", async () => {
    const workbook = reportWorkbook();
    const message = "Only an admin can submit a report.";
    const { env, ui } = environment(workbook, () => ({ status: 403, body: { error: "forbidden", message } }));

    const result = await runCommand(runSubmit, env);

    assert.equal(result, null);
    assert.equal(ui.shown[0].prompt, message);
    assert.equal(ui.shown[0].mode, "critical");
    assert.equal(workbook.writes.length, 0);
  });

  test("unreachable server is shown in a dialog", async () => {
    const workbook = reportWorkbook();
    const { env, ui } = environment(workbook, () => {
      throw new TypeError("Failed to fetch");
    });

    await runCommand(runValidate, env);

    assert.match(ui.shown[0].prompt, /cannot be reached/);
  });
});

describe("describeError", () => {
  test("Excel errors name the detail", () => {
    assert.match(describeError(new Error("RichApi.Error: busy")), /Excel reported an error: RichApi\.Error: busy\./);
  });
});

describe("dialog", () => {
  let saved;
  beforeEach(() => {
    saved = globalThis.Office;
  });
  afterEach(() => {
    globalThis.Office = saved;
  });

  test("url carries the alert", () => {
    const url = new URL(
      dialogUrl(ORIGIN, { title: "Validate", prompt: "2 errors & 1 warning", buttons: "ok", mode: "critical" }),
    );

    assert.equal(url.origin, ORIGIN);
    assert.equal(url.pathname, "/addin/dialog.html");
    assert.equal(url.searchParams.get("prompt"), "2 errors & 1 warning");
    assert.equal(url.searchParams.get("mode"), "critical");
  });

  test("show resolves with the pressed button", async () => {
    const office = fakeOffice();
    const ui = createDialogUi(ORIGIN, office);
    const answer = ui.show({ title: "Submit", prompt: "Run?", buttons: "ok_cancel", mode: "", callback: "" });
    office.dialogs[0].press("cancel");

    assert.equal(await answer, "cancel");
    assert.equal(office.dialogs[0].closed, true);
  });
});
