import assert from "node:assert/strict";
import { test } from "node:test";

import { META_SHEET } from "../client.js";
import {
  FakeWorkbook,
  makeSheet,
  mappingCells,
  metaCells,
  recordingFetch,
} from "./fake-excel.js";

// taskpane.js calls Office.onReady at import time, so Office is set first.
globalThis.Office = { onReady: () => Promise.resolve() };
const { acceptSuggestions, describeReport, openWorkbook } = await import("../taskpane.js");

const ORIGIN = "https://127.0.0.1:5443";

test("acceptSuggestions writes the returned IDs", async () => {
  const workbook = new FakeWorkbook([
    makeSheet("Mapping", mappingCells(3), { protected: true }),
    makeSheet(META_SHEET, metaCells()),
  ]);
  const { fetchImpl, requests } = recordingFetch(() => ({
    status: 200,
    body: {
      accepted: 1,
      message: "Filled 1 Integration-Mapping ID.",
      actions: [
        {
          func: "setValues",
          values: [["1_S88306"]],
          sheet_position: 0,
          start_row: 3,
          start_column: 22,
          row_count: 1,
          column_count: 1,
        },
      ],
    },
  }));

  const result = await acceptSuggestions({
    excel: workbook.excel(),
    origin: ORIGIN,
    settings: { token: "t", minScore: 85 },
    fetchImpl,
  });

  assert.equal(requests[0].url, `${ORIGIN}/addin/accept-suggestions?min_score=85`);
  assert.equal(workbook.sheets[0].cells[3][22], "1_S88306");
  assert.equal(workbook.sheets[0].protection.protected, true);
  assert.equal(result.message, "Filled 1 Integration-Mapping ID.");
});

// Accept suggestions on a Mapping sheet of 4,000 data rows, where the server
// responds with `actions`. Return the workbook.
async function acceptWith(actions) {
  const workbook = new FakeWorkbook([
    makeSheet("Mapping", mappingCells(4_000), { protected: true }),
    makeSheet(META_SHEET, metaCells()),
  ]);
  const { fetchImpl } = recordingFetch(() => ({
    status: 200,
    body: { accepted: actions.length, message: "Filled.", actions },
  }));
  await acceptSuggestions({
    excel: workbook.excel(),
    origin: ORIGIN,
    settings: { token: "t", minScore: 90 },
    fetchImpl,
  });

  return workbook;
}

function mappingIdAction(startRow, values) {
  return {
    func: "setValues",
    values,
    sheet_position: 0,
    start_row: startRow,
    start_column: 22,
    row_count: values.length,
    column_count: 1,
  };
}

test("acceptSuggestions syncs do not grow with rows", async () => {
  // Every other row is accepted. The server sends such close rows as one
  // action with null between them. Earlier servers sent one action per row.
  const oneAction = [
    mappingIdAction(
      2,
      Array.from({ length: 4_000 }, (_, i) => [i % 2 === 0 ? `2_NEW${i}` : null]),
    ),
  ];
  const actionPerRow = Array.from({ length: 2_000 }, (_, k) =>
    mappingIdAction(2 + 2 * k, [[`2_NEW${2 * k}`]]),
  );

  const single = await acceptWith([mappingIdAction(2, [["2_NEW0"]])]);
  const merged = await acceptWith(oneAction);
  const separate = await acceptWith(actionPerRow);

  assert.equal(merged.sheets[0].cells[2][22], "2_NEW0");
  assert.equal(merged.sheets[0].cells[3][22], "1_000001");
  assert.equal(merged.sheets[0].cells[4_000][22], "2_NEW3998");
  assert.equal(separate.sheets[0].cells[4_000][22], "2_NEW3998");
  assert.equal(separate.sheets[0].cells[4_001][22], "1_003999");
  assert.equal(merged.syncs, single.syncs);
  assert.equal(separate.syncs, single.syncs);
  assert.equal(separate.sheets[0].protection.protected, true);
});

test("openWorkbook creates a workbook from the download", async () => {
  const created = [];
  const excel = { createWorkbook: async (base64) => created.push(base64) };
  const requests = [];
  const fetchImpl = async (url, request) => {
    requests.push({ url, ...request });
    return { ok: true, status: 200, arrayBuffer: async () => Uint8Array.from([80, 75, 3, 4]).buffer };
  };

  await openWorkbook(`${ORIGIN}/addin/reports/r1.xlsx`, { token: "t", fetchImpl, excel });

  assert.deepEqual(created, ["UEsDBA=="]);
  assert.equal(requests[0].headers.Authorization, "Bearer t");
});

test("openWorkbook reports a failed download", async () => {
  const excel = { createWorkbook: async () => assert.fail("nothing to open") };
  const fetchImpl = async () => ({ ok: false, status: 404 });

  await assert.rejects(
    openWorkbook(`${ORIGIN}/addin/reports/r9.xlsx`, { token: "t", fetchImpl, excel }),
    /failed with HTTP 404/,
  );
});

test("describeReport lists the scenario counts", () => {
  const text = describeReport({
    id: "r1",
    created_at: "2026-12-04T10:43:50.872566",
    counts: { 1: 40, 2: 8 },
  });

  assert.equal(text, "Report r1 of 2026-12-04 10:43 UTC (scenario 1: 40, scenario 2: 8, scenario 3: 0)");
});
