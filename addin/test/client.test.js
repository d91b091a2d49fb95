import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";

import {
  AddinError,
  applyActions,
  buildPayload,
  callServer,
  countCells,
  estimateBytes,
  loadSettings,
  MAX_SYNC_BYTES,
  META_SHEET,
  readSheetValues,
  saveSettings,
  uploadWorkbook,
  withUnprotected,
} from "../client.js";
import {
  FakeWorkbook,
  fakeOffice,
  makeSheet,
  PAYLOAD_LIMIT_BYTES,
  mappingCells,
  metaCells,
  recordingFetch,
} from "./fake-excel.js";

const ORIGIN = "https://127.0.0.1:5443";

function reportWorkbook(rows = 3, options = {}) {
  return new FakeWorkbook([
    makeSheet("Summary", [["Report", "r-0001"]]),
    makeSheet("Mapping", mappingCells(rows), options.mapping),
    makeSheet("SIS Users", [["SIS Local ID"], ["1_000001"]]),
    makeSheet(META_SHEET, metaCells(), { visibility: "VeryHidden" }),
  ]);
}

// Build a setValues action that writes `values` into the Status column of the
// Mapping sheet, from the 0-based row `startRow` down.
function statusValues(values, startRow) {
  return {
    func: "setValues",
    args: [],
    values,
    sheet_position: 1,
    start_row: startRow,
    start_column: 24,
    row_count: values.length,
    column_count: 1,
  };
}

class MemoryStorage {
  constructor() {
    this.items = new Map();
  }
  getItem(key) {
    return this.items.get(key) ?? null;
  }
  setItem(key, value) {
    this.items.set(key, value);
  }
}

describe("buildPayload", () => {
  test("has the xlwings Office.js shape", async () => {
    const workbook = reportWorkbook();
    workbook.activeIndex = 1;
    const payload = await buildPayload(workbook.context());

    assert.equal(payload.client, "Office.js");
    assert.equal(payload.version, "0.37.8");
    assert.equal(payload.book.name, "report.xlsx");
    assert.equal(payload.book.active_sheet_index, 1);
    assert.equal(payload.book.selection, "Mapping!R1C1".split("!").pop());
    assert.deepEqual(payload.names, []);
    assert.deepEqual(
      payload.sheets.map((sheet) => sheet.name),
      ["Summary", "Mapping", "SIS Users", META_SHEET],
    );
  });

  test("sends values only for Mapping and meta sheets", async () => {
    const workbook = reportWorkbook(3);
    const payload = await buildPayload(workbook.context());
    const [summary, mapping, sisUsers, meta] = payload.sheets;

    assert.deepEqual(summary.values, [[]]);
    assert.deepEqual(sisUsers.values, [[]]);
    assert.equal(mapping.values.length, 5);
    assert.equal(mapping.values[2][0], "100000");
    assert.equal(mapping.values[4][22], "1_000002");
    assert.deepEqual(meta.values, metaCells());
    assert.equal(meta.visibility, "VeryHidden");
  });

  test("lists book-scope range names", async () => {
    const workbook = reportWorkbook();
    workbook.addName("SisLocalIds", 2, "$A$2:$A$1001");
    workbook.addName("TaxRate", 0, "", "Constant");
    const payload = await buildPayload(workbook.context());

    assert.deepEqual(payload.names, [
      {
        name: "SisLocalIds",
        sheet_index: 2,
        address: "$A$2:$A$1001",
        scope_sheet_name: null,
        scope_sheet_index: null,
        book_scope: true,
      },
    ]);
  });

  test("counts the cells it carries", async () => {
    const payload = await buildPayload(reportWorkbook(3).context());

    assert.equal(countCells(payload), 5 * 29 + 3 * 2);
  });
});

// Read the only sheet of a workbook made of `cells`.
async function readOnlySheet(cells, options = {}, workbookOptions = {}) {
  const workbook = new FakeWorkbook([makeSheet("Mapping", cells)], workbookOptions);
  const context = workbook.context();
  const sheet = context.workbook.worksheets.items[0];
  const values = await readSheetValues(context, sheet, options);

  return { workbook, values };
}

// Check that the reads that Excel accepted cover the sheet's rows in order,
// each once.
function assertReadsCover(workbook, totalRows) {
  let next = 0;
  for (const read of workbook.reads.filter((read) => !read.rejected)) {
    assert.equal(read.row, next);
    next += read.rows;
  }
  assert.equal(next, totalRows);
}

// Build the cells of a Mapping sheet whose Status cells, from data row `from`
// on, contain the row number and `text`.
function cellsWithStatus(rows, text, from = 0) {
  const cells = mappingCells(rows);
  for (let i = from; i < rows; i += 1) {
    cells[2 + i][24] = `${i} ${text}`;
  }

  return cells;
}

describe("readSheetValues", () => {
  test("reads 100,000 rows in few chunks", async () => {
    const cells = mappingCells(100_000);
    const { workbook, values } = await readOnlySheet(cells);

    assert.equal(values.length, 100_002);
    assert.deepEqual(values[0], cells[0]);
    assert.deepEqual(values[50_001], cells[50_001]);
    assert.deepEqual(values[100_001], cells[100_001]);
    assert.deepEqual(workbook.rejected, []);
    assert.ok(workbook.reads.length <= 10, `${workbook.reads.length} reads`);
    assert.ok(workbook.reads.every((read) => read.bytes <= MAX_SYNC_BYTES));
    assertReadsCover(workbook, 100_002);
  });

  for (const [label, text] of [
    ["ASCII", "x".repeat(5_000)],
    ["non-ASCII", "é".repeat(5_000)],
    ["escaped", 'a "quote" and a\nline '.repeat(250)],
  ]) {
    test(`long ${label} statuses stay under the response limit`, async () => {
      const cells = cellsWithStatus(3_000, text);
      const { workbook, values } = await readOnlySheet(cells);

      assert.ok(estimateBytes(cells) > 3 * PAYLOAD_LIMIT_BYTES);
      assert.deepEqual(values, cells);
      assert.deepEqual(workbook.rejected, []);
      assert.ok(workbook.reads.length >= 4);
      assert.ok(workbook.reads.every((read) => read.bytes <= PAYLOAD_LIMIT_BYTES));
      assertReadsCover(workbook, 3_002);
    });
  }

  test("halves a chunk Excel rejects", async () => {
    // The short rows first make the next chunk far too large for the long ones.
    const cells = cellsWithStatus(60_000, "x".repeat(2_000), 40_000);
    const { workbook, values } = await readOnlySheet(cells);
    const rejected = workbook.reads.filter((read) => read.rejected);

    assert.deepEqual(values, cells);
    assert.ok(rejected.length >= 1);
    assert.ok(workbook.rejected.every((entry) => entry.code === "ResponsePayloadSizeLimitExceeded"));
    assert.ok(workbook.reads.every((read) => read.rejected || read.bytes <= PAYLOAD_LIMIT_BYTES));
    assertReadsCover(workbook, 60_002);
  });

  test("row over the limit names the row", async () => {
    const cells = cellsWithStatus(3, "x".repeat(2_000), 1);

    await assert.rejects(
      readOnlySheet(cells, {}, { payloadLimit: 1_000 }),
      (error) => {
        assert.ok(error instanceof AddinError);
        assert.match(error.message, /Row 4 of the sheet 'Mapping' is larger than/);
        return true;
      },
    );
  });

  test("other Excel errors are not retried", async () => {
    const workbook = new FakeWorkbook([makeSheet("Mapping", mappingCells(3))]);
    const context = workbook.context();
    const sheet = context.workbook.worksheets.items[0];
    const sync = context.sync;
    let calls = 0;
    context.sync = async () => {
      calls += 1;
      if (calls === 2) {
        throw Object.assign(new Error("RichApi.Error: busy"), { code: "GeneralException" });
      }
      return sync();
    };

    await assert.rejects(readSheetValues(context, sheet), /busy/);
    assert.equal(calls, 2);
  });

  test("returns one empty row for an empty sheet", async () => {
    const workbook = new FakeWorkbook([makeSheet("Mapping", [])]);
    const context = workbook.context();

    const values = await readSheetValues(context, context.workbook.worksheets.items[0]);

    assert.deepEqual(values, [[]]);
  });
});

describe("applyActions", () => {
  test("setValues splits the rows by bytes", async () => {
    const workbook = reportWorkbook(12_000);
    const statuses = Array.from({ length: 12_000 }, (_, i) => [`OK ${i}`]);
    const maxBytes = 50_000;
    const alerts = await applyActions(
      workbook.context(),
      [statusValues(statuses, 2)],
      { maxBytes },
    );
    const cells = workbook.sheets[1].cells;
    const writes = workbook.writes;

    assert.deepEqual(alerts, []);
    assert.equal(cells[2][24], "OK 0");
    assert.equal(cells[12_001][24], "OK 11999");
    assert.equal(cells[2][0], "100000");
    assert.ok(writes.length >= Math.ceil(estimateBytes(statuses) / maxBytes));
    assert.ok(writes.every((write) => write.bytes <= maxBytes));
    let next = 2;
    for (const write of writes) {
      assert.equal(write.row, next);
      next += write.rows;
    }
    assert.equal(next, 12_002);
  });

  for (const [label, text] of [
    ["ASCII", "x"],
    ["non-ASCII", "é"],
  ]) {
    test(`long ${label} statuses stay under the request limit`, async () => {
      const workbook = reportWorkbook(3_000);
      const statuses = Array.from({ length: 3_000 }, (_, i) => [`${i} ${text.repeat(5_000)}`]);
      await applyActions(workbook.context(), [statusValues(statuses, 2)]);
      const cells = workbook.sheets[1].cells;

      assert.ok(estimateBytes(statuses) > 3 * PAYLOAD_LIMIT_BYTES);
      assert.deepEqual(workbook.rejected, []);
      assert.ok(workbook.writes.length >= 4);
      assert.ok(workbook.writes.every((write) => write.bytes <= MAX_SYNC_BYTES));
      assert.equal(cells[2][24], statuses[0][0]);
      assert.equal(cells[3_001][24], statuses[2_999][0]);
    });
  }

  test("many one-row actions share one sync", async () => {
    const syncsFor = async (count) => {
      const workbook = reportWorkbook(count, { mapping: { protected: true } });
      const actions = Array.from({ length: count }, (_, i) => statusValues([["OK"]], 2 + i));
      await applyActions(workbook.context(), actions);
      assert.equal(workbook.sheets[1].cells[count + 1][24], "OK");
      return workbook.syncs;
    };

    const oneRow = await syncsFor(1);
    const manyRows = await syncsFor(5_000);

    assert.equal(manyRows, oneRow);
    assert.ok(oneRow <= 5, `${oneRow} syncs`);
  });

  test("null leaves the cell unchanged", async () => {
    const workbook = reportWorkbook(3);
    await applyActions(workbook.context(), [
      { ...statusValues([["1_A"], [null], ["1_C"]], 2), start_column: 22 },
    ]);
    const cells = workbook.sheets[1].cells;

    assert.equal(cells[2][22], "1_A");
    assert.equal(cells[3][22], "1_000001");
    assert.equal(cells[4][22], "1_C");
  });

  test("setRangeColor fills a cell and clears with null", async () => {
    const workbook = reportWorkbook();
    const cell = { sheet_position: 1, start_row: 3, start_column: 22, row_count: 1, column_count: 1 };
    await applyActions(workbook.context(), [
      { ...cell, func: "setRangeColor", args: ["#FFC7CE"] },
      { ...cell, start_row: 4, func: "setRangeColor", args: [null] },
    ]);
    const fills = workbook.sheets[1].fills;

    assert.equal(fills.get("3,22,1,1"), "#FFC7CE");
    assert.equal(fills.get("4,22,1,1"), null);
    assert.ok(fills.has("4,22,1,1"));
  });

  test("rangeSelect and activateSheet move the cursor", async () => {
    const workbook = reportWorkbook();
    await applyActions(workbook.context(), [
      { func: "activateSheet", args: [1], sheet_position: null },
      {
        func: "rangeSelect",
        args: [],
        sheet_position: 1,
        start_row: 4,
        start_column: 22,
        row_count: 1,
        column_count: 1,
      },
    ]);

    assert.equal(workbook.activeIndex, 1);
    assert.deepEqual(workbook.sheets[1].selected, {
      row: 4,
      column: 22,
      rowCount: 1,
      columnCount: 1,
    });
  });

  test("alert is returned, not applied", async () => {
    const workbook = reportWorkbook();
    const alerts = await applyActions(workbook.context(), [
      { func: "alert", args: ["2 errors", "Validate", "ok", "critical", ""] },
    ]);

    assert.deepEqual(alerts, [
      { prompt: "2 errors", title: "Validate", buttons: "ok", mode: "critical", callback: "" },
    ]);
    assert.equal(workbook.writes.length, 0);
  });

  test("unknown action is rejected before any write", async () => {
    const workbook = reportWorkbook();
    const actions = [
      { func: "setValues", values: [["OK"]], sheet_position: 1, start_row: 2, start_column: 24, row_count: 1, column_count: 1 },
      { func: "runMacro", args: ["anything"] },
    ];

    await assert.rejects(applyActions(workbook.context(), actions), (error) => {
      assert.ok(error instanceof AddinError);
      assert.match(error.message, /'runMacro'/);
      return true;
    });
    assert.equal(workbook.writes.length, 0);
  });

  test("sheet position out of range is rejected", async () => {
    const workbook = reportWorkbook();
    const action = { func: "setValues", values: [["OK"]], sheet_position: 9, start_row: 2, start_column: 24, row_count: 1, column_count: 1 };

    await assert.rejects(applyActions(workbook.context(), [action]), /sheet position 9/);
  });
});

describe("sheet protection", () => {
  const options = { allowAutoFilter: true, allowSort: true, allowFormatColumns: true };
  const statusAction = {
    func: "setValues",
    values: [["OK"], ["Error: Mapping!W4: '2_0457' is a teacher ID"], ["OK"]],
    sheet_position: 1,
    start_row: 2,
    start_column: 24,
    row_count: 3,
    column_count: 1,
  };

  test("statuses are written and protection comes back", async () => {
    const workbook = reportWorkbook(3, {
      mapping: { protected: true, protectionOptions: options },
    });
    await applyActions(workbook.context(), [statusAction]);
    const sheet = workbook.sheets[1];

    assert.equal(sheet.cells[3][24], "Error: Mapping!W4: '2_0457' is a teacher ID");
    assert.equal(sheet.protection.protected, true);
    assert.deepEqual(sheet.protection.options, options);
  });

  test("protection comes back when a write fails", async () => {
    const workbook = reportWorkbook(3, {
      mapping: { protected: true, protectionOptions: options },
    });
    workbook.failWriteAt = 0;

    await assert.rejects(applyActions(workbook.context(), [statusAction]), /write failed/);
    const sheet = workbook.sheets[1];
    assert.equal(sheet.protection.protected, true);
    assert.deepEqual(sheet.protection.options, options);
    assert.equal(sheet.cells[3][24], "");
  });

  test("unprotected sheet stays unprotected", async () => {
    const workbook = reportWorkbook(3);
    await applyActions(workbook.context(), [statusAction]);

    assert.equal(workbook.sheets[1].protection.protected, false);
    assert.equal(workbook.sheets[1].cells[2][24], "OK");
  });

  test("password protection stops with a clear error", async () => {
    const workbook = reportWorkbook(3, {
      mapping: { protected: true, protectionOptions: options, password: "secret" },
    });

    await assert.rejects(applyActions(workbook.context(), [statusAction]), (error) => {
      assert.ok(error instanceof AddinError);
      assert.match(error.message, /protected with a password/);
      return true;
    });
    assert.equal(workbook.sheets[1].cells[2][24], "");
    assert.equal(workbook.sheets[1].protection.protected, true);
  });

  test("withUnprotected returns the work's result", async () => {
    const workbook = reportWorkbook(3, { mapping: { protected: true } });
    const context = workbook.context();
    context.workbook.worksheets.load("items/name");
    await context.sync();
    const sheet = context.workbook.worksheets.items[1];

    const result = await withUnprotected(context, [sheet], async () => {
      assert.equal(workbook.sheets[1].protection.protected, false);
      return 7;
    });

    assert.equal(result, 7);
    assert.equal(workbook.sheets[1].protection.protected, true);
  });
});

describe("callServer", () => {
  test("sends the token and returns the JSON body", async () => {
    const { fetchImpl, requests } = recordingFetch(() => ({ status: 200, body: { actions: [] } }));
    const body = await callServer("/addin/validate", {
      origin: ORIGIN,
      token: "tok-123",
      body: { client: "Office.js" },
      fetchImpl,
    });

    assert.deepEqual(body, { actions: [] });
    assert.equal(requests[0].url, `${ORIGIN}/addin/validate`);
    assert.equal(requests[0].headers.Authorization, "Bearer tok-123");
    assert.equal(requests[0].body, '{"client":"Office.js"}');
  });

  test("unreachable server gives a clear error", async () => {
    const fetchImpl = async () => {
      throw new TypeError("Failed to fetch");
    };

    await assert.rejects(
      callServer("/addin/validate", { origin: ORIGIN, token: "t", body: {}, fetchImpl }),
      (error) => {
        assert.ok(error instanceof AddinError);
        assert.match(error.message, /https:\/\/127\.0\.0\.1:5443 cannot be reached/);
        return true;
      },
    );
  });

  test("rejected token says how to get a new one", async () => {
    const { fetchImpl } = recordingFetch(() => ({
      status: 401,
      body: { error: "unauthorized", message: "Sign-in required." },
    }));

    await assert.rejects(
      callServer("/addin/validate", { origin: ORIGIN, token: "old", body: {}, fetchImpl }),
      (error) => {
        assert.equal(error.status, 401);
        assert.match(error.message, /rejected the API token/);
        assert.match(error.message, /dataprep create-token/);
        return true;
      },
    );
  });

  test("missing token is caught before sending", async () => {
    const { fetchImpl, requests } = recordingFetch(() => ({ status: 200, body: {} }));

    await assert.rejects(
      callServer("/addin/validate", { origin: ORIGIN, token: "", body: {}, fetchImpl }),
      /No API token is set/,
    );
    assert.equal(requests.length, 0);
  });

  test("server error message is shown as sent", async () => {
    const message = "This needs the admin role; ask an admin.";
    const { fetchImpl } = recordingFetch(() => ({
      status: 403,
      body: { error: "forbidden", message },
    }));

    await assert.rejects(
      callServer("/addin/submit", { origin: ORIGIN, token: "t", body: {}, fetchImpl }),
      (error) => {
        assert.equal(error.status, 403);
        assert.equal(error.message, message);
        return true;
      },
    );
  });

  test("error without a body names the status", async () => {
    const { fetchImpl } = recordingFetch(() => ({ status: 502 }));

    await assert.rejects(
      callServer("/addin/validate", { origin: ORIGIN, token: "t", body: {}, fetchImpl }),
      /HTTP 502/,
    );
  });
});

describe("uploadWorkbook", () => {
  let savedOffice;
  beforeEach(() => {
    savedOffice = globalThis.Office;
  });
  afterEach(() => {
    globalThis.Office = savedOffice;
  });

  test("sends the file in slices and closes it", async () => {
    const bytes = Uint8Array.from({ length: 10 }, (_, i) => i + 1);
    const office = fakeOffice({ fileBytes: bytes });
    globalThis.Office = office;
    const { fetchImpl, requests } = recordingFetch((url) =>
      url.endsWith("/addin/files")
        ? { status: 201, body: { upload_id: "u1" } }
        : { status: 200, body: { received: true } },
    );

    const uploadId = await uploadWorkbook({
      origin: ORIGIN,
      token: "t",
      document: office.context.document,
      fetchImpl,
      sliceSize: 4,
    });

    assert.equal(uploadId, "u1");
    assert.deepEqual(JSON.parse(requests[0].body), { slices: 3, size: 10, name: "" });
    assert.deepEqual(
      requests.slice(1).map((request) => request.url),
      [0, 1, 2].map((i) => `${ORIGIN}/addin/files/u1/slices/${i}`),
    );
    assert.deepEqual(Array.from(requests[1].body), [1, 2, 3, 4]);
    assert.deepEqual(Array.from(requests[3].body), [9, 10]);
    assert.equal(requests[2].headers["Content-Type"], "application/octet-stream");
    assert.deepEqual(office.closed, ["compressed"]);
  });

  test("closes the file when a slice upload fails", async () => {
    const office = fakeOffice({ fileBytes: new Uint8Array(8) });
    globalThis.Office = office;
    const { fetchImpl } = recordingFetch((url) =>
      url.endsWith("/addin/files")
        ? { status: 201, body: { upload_id: "u2" } }
        : { status: 413, body: { error: "too_large", message: "The upload is larger than 200 MB." } },
    );

    await assert.rejects(
      uploadWorkbook({ origin: ORIGIN, token: "t", document: office.context.document, fetchImpl, sliceSize: 4 }),
      /larger than 200 MB/,
    );
    assert.deepEqual(office.closed, ["compressed"]);
  });

  test("reports a file Excel cannot hand over", async () => {
    const office = fakeOffice({ failFile: "The file is busy." });
    globalThis.Office = office;
    const { fetchImpl, requests } = recordingFetch(() => ({ status: 200, body: {} }));

    await assert.rejects(
      uploadWorkbook({ origin: ORIGIN, token: "t", document: office.context.document, fetchImpl }),
      /could not hand over the workbook file \(The file is busy\.\)/,
    );
    assert.equal(requests.length, 0);
  });
});

describe("settings", () => {
  test("save and load round trip", () => {
    const storage = new MemoryStorage();
    saveSettings({ token: "  tok-1  ", minScore: "85" }, storage);

    assert.deepEqual(loadSettings(storage), { token: "tok-1", minScore: 85 });
  });

  test("defaults when nothing is stored", () => {
    assert.deepEqual(loadSettings(new MemoryStorage()), { token: "", minScore: 90 });
  });

  for (const bad of ["101", "-1", "8.5", "high"]) {
    test(`minimum score '${bad}' is rejected`, () => {
      const storage = new MemoryStorage();

      assert.throws(() => saveSettings({ token: "t", minScore: bad }, storage), /whole number from 0 to 100/);
      assert.equal(storage.getItem("sis-dataprep.settings"), null);
    });
  }
});
