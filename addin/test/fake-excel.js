// A workbook kept in memory behind office-addin-mock objects.
//
// office-addin-mock checks that a property is loaded and synced before it is
// read. This harness adds what it lacks: collections (`items/name` loads),
// ranges cut from a sheet's cells, and writes that take effect only at
// context.sync(), in call order, failing as Excel does on a protected sheet.
// A sync whose values exceed the payload limit fails as in Excel on the web.

import { OfficeMockObject } from "office-addin-mock";

// Excel on the web rejects a request or response over 5 MB. The harness
// counts the JSON bytes of the values alone, against 5,000,000 bytes.
export const PAYLOAD_LIMIT_BYTES = 5_000_000;

function jsonBytes(value) {
  return Buffer.byteLength(JSON.stringify(value), "utf8");
}

function payloadError(code, bytes) {
  const error = new Error(`RichApi.Error: ${code} (${bytes} bytes).`);
  error.code = code;
  return error;
}

export function makeSheet(name, cells, options = {}) {
  return {
    name,
    cells,
    visibility: options.visibility ?? "Visible",
    protection: {
      protected: options.protected ?? false,
      options: options.protectionOptions ?? { allowAutoFilter: true, allowSort: true },
      password: options.password ?? null,
    },
    fills: new Map(),
    selected: null,
  };
}

export class FakeWorkbook {
  constructor(
    sheets,
    { name = "report.xlsx", activeIndex = 0, payloadLimit = PAYLOAD_LIMIT_BYTES } = {},
  ) {
    this.name = name;
    this.sheets = sheets;
    this.activeIndex = activeIndex;
    this.payloadLimit = payloadLimit;
    this.pending = [];
    this.requestBytes = 0;
    this.responseBytes = 0;
    this.syncs = 0;
    this.reads = [];
    this.pendingReads = [];
    this.rejected = [];
    this.writes = [];
    this.failWriteAt = null;
    this.tracked = [];
    this.names = [];
  }

  // Add a book-scope name that refers to a cell range or, with `type`, to a
  // constant or formula.
  addName(name, sheetIndex, address, type = "Range") {
    this.names.push({ name, sheetIndex, address, type });
  }

  track(mock) {
    this.tracked.push(mock);
    return mock;
  }

  // Queue a change for the next sync, as Office.js batches its requests.
  // `bytes` counts the values that the change sends.
  queue(change, bytes = 0) {
    this.pending.push(change);
    this.requestBytes += bytes;
  }

  // Fail the whole sync when its values exceed the payload limit, before any
  // change is made. Reads of a rejected sync are marked `rejected`.
  checkPayloadLimit() {
    const request = this.requestBytes;
    const response = this.responseBytes;
    const reads = this.pendingReads;
    this.requestBytes = 0;
    this.responseBytes = 0;
    this.pendingReads = [];
    if (request > this.payloadLimit) {
      this.rejected.push({ code: "RequestPayloadSizeLimitExceeded", bytes: request });
      throw payloadError("RequestPayloadSizeLimitExceeded", request);
    }
    if (response > this.payloadLimit) {
      this.rejected.push({ code: "ResponsePayloadSizeLimitExceeded", bytes: response });
      for (const read of reads) {
        read.rejected = true;
      }
      throw payloadError("ResponsePayloadSizeLimitExceeded", response);
    }
  }

  async sync() {
    this.syncs += 1;
    const changes = this.pending;
    this.pending = [];
    try {
      this.checkPayloadLimit();
    } catch (error) {
      this.tracked = [];
      throw error;
    }
    for (const change of changes) {
      change();
    }

    const tracked = this.tracked;
    this.tracked = [];
    for (const mock of tracked) {
      await mock.sync();
    }
    // office-addin-mock finishes its property updates in later microtasks.
    await new Promise((resolve) => setImmediate(resolve));
  }

  writeCells(sheet, row, column, values) {
    this.checkWritable(sheet);
    const index = this.writes.length;
    this.writes.push({
      sheet: sheet.name,
      row,
      column,
      rows: values.length,
      bytes: jsonBytes(values),
      sync: this.syncs,
    });
    if (this.failWriteAt === index) {
      throw new Error("InvalidOperation: the write failed.");
    }

    // Office.js leaves a cell unchanged where the array contains null.
    values.forEach((rowValues, i) => {
      const target = sheet.cells[row + i] ?? (sheet.cells[row + i] = []);
      rowValues.forEach((value, j) => {
        if (value !== null) {
          target[column + j] = value;
        }
      });
    });
  }

  checkWritable(sheet) {
    if (sheet.protection.protected) {
      throw new Error(
        "AccessDenied: The cell or chart that you are trying to change is protected.",
      );
    }
  }

  usedSize(sheet) {
    const rows = sheet.cells.length;
    const columns = Math.max(0, ...sheet.cells.map((row) => row.length));
    return { rows, columns };
  }

  rangeMock(sheet, row, column, rowCount, columnCount) {
    const values = [];
    for (let i = 0; i < rowCount; i += 1) {
      const source = sheet.cells[row + i] ?? [];
      const line = [];
      for (let j = 0; j < columnCount; j += 1) {
        line.push(source[column + j] ?? "");
      }
      values.push(line);
    }

    const workbook = this;
    const mock = new OfficeMockObject({
      values,
      address: `${sheet.name}!R${row + 1}C${column + 1}`,
      format: { fill: {} },
    });
    mock.load = wrapLoad(mock, () => {
      const read = { sheet: sheet.name, row, rows: rowCount, bytes: jsonBytes(values) };
      workbook.reads.push(read);
      workbook.pendingReads.push(read);
      workbook.responseBytes += read.bytes;
      workbook.track(mock);
    });

    let current = mock.values;
    Object.defineProperty(mock, "values", {
      get: () => current,
      // office-addin-mock itself assigns its error strings and, once synced,
      // the loaded array; any other array is a write by the client.
      set: (value) => {
        if (Array.isArray(value) && value !== values) {
          workbook.queue(
            () => workbook.writeCells(sheet, row, column, value),
            jsonBytes(value),
          );
        }
        current = value;
      },
    });

    const fill = mock.format.fill;
    Object.defineProperty(fill, "color", {
      set: (color) =>
        workbook.queue(() => {
          workbook.checkWritable(sheet);
          sheet.fills.set(`${row},${column},${rowCount},${columnCount}`, color);
        }),
      get: () => undefined,
    });
    fill.clear = () =>
      workbook.queue(() => {
        workbook.checkWritable(sheet);
        sheet.fills.set(`${row},${column},${rowCount},${columnCount}`, null);
      });
    mock.select = () =>
      workbook.queue(() => {
        sheet.selected = { row, column, rowCount, columnCount };
      });

    return mock;
  }

  sheetMock(sheet, position) {
    const workbook = this;
    // The protection state is read from the sheet when it is loaded. The
    // options stay a plain object, as Office.js returns them.
    const protection = new OfficeMockObject({});
    protection.load = (properties) => {
      protection.setValue("protected", sheet.protection.protected);
      protection.setValue("options", sheet.protection.options);
      OfficeMockObject.prototype.load.call(protection, properties);
      workbook.track(protection);
      return protection;
    };
    protection.protect = (options, password) =>
      workbook.queue(() => {
        sheet.protection.protected = true;
        sheet.protection.options = options;
        sheet.protection.password = password ?? null;
      });
    protection.unprotect = (password) =>
      workbook.queue(() => {
        if (sheet.protection.password && password !== sheet.protection.password) {
          throw new Error("InvalidArgument: the password is incorrect.");
        }
        sheet.protection.protected = false;
      });

    const mock = new OfficeMockObject({
      name: sheet.name,
      position,
      visibility: sheet.visibility,
    });
    mock.load = wrapLoad(mock, () => workbook.track(mock));
    mock.protection = protection;
    mock.getRangeByIndexes = (row, column, rowCount, columnCount) =>
      workbook.rangeMock(sheet, row, column, rowCount, columnCount);
    mock.getUsedRangeOrNullObject = () => {
      const { rows, columns } = workbook.usedSize(sheet);
      const used = new OfficeMockObject({
        rowIndex: 0,
        columnIndex: 0,
        rowCount: rows,
        columnCount: columns,
      });
      used.load = wrapLoad(used, () => workbook.track(used));
      used.isNullObject = rows === 0 || columns === 0;
      return used;
    };
    mock.activate = () =>
      workbook.queue(() => {
        workbook.activeIndex = position;
      });

    return mock;
  }

  nameMock(entry, sheetMock) {
    const workbook = this;
    const mock = new OfficeMockObject({ name: entry.name, type: entry.type });
    mock.load = wrapLoad(mock, () => workbook.track(mock));
    mock.getRange = () => {
      if (entry.type !== "Range") {
        throw new Error("InvalidArgument: the name does not refer to a range.");
      }
      const range = new OfficeMockObject({ address: `${sheetMock.name}!${entry.address}` });
      range.load = wrapLoad(range, () => workbook.track(range));
      range.worksheet = sheetMock;
      return range;
    };

    return mock;
  }

  context() {
    const workbook = this;
    const sheetMocks = this.sheets.map((sheet, i) => this.sheetMock(sheet, i));
    const book = new OfficeMockObject({ name: this.name });
    book.load = wrapLoad(book, () => workbook.track(book));
    book.worksheets = collection(sheetMocks);
    book.worksheets.getActiveWorksheet = () => sheetMocks[workbook.activeIndex];
    book.names = collection(
      this.names.map((entry) => this.nameMock(entry, sheetMocks[entry.sheetIndex])),
    );
    book.getSelectedRange = () => workbook.rangeMock(workbook.sheets[workbook.activeIndex], 0, 0, 1, 1);

    return { workbook: book, sync: () => workbook.sync() };
  }

  // An Excel global whose run() hands out a fresh context, like Excel.run.
  excel() {
    return {
      run: async (callback) => callback(this.context()),
    };
  }
}

function wrapLoad(mock, onLoad) {
  const original = OfficeMockObject.prototype.load;
  return (properties) => {
    original.call(mock, properties);
    onLoad();
    return mock;
  };
}

// A collection: load("items/name,items/position") loads those properties on
// every item, which office-addin-mock cannot express for arrays.
function collection(items) {
  return {
    items,
    load(spec) {
      const properties = String(spec)
        .split(",")
        .map((part) => part.trim())
        .filter((part) => part.startsWith("items/"))
        .map((part) => part.slice("items/".length));
      if (properties.length > 0) {
        for (const item of items) {
          item.load(properties.join(","));
        }
      }
      return this;
    },
  };
}

// Build the cells of a Mapping sheet: two header rows and `rows` data rows
// of 29 columns, the Status column (index 24) empty.
export function mappingCells(rows, { columns = 29 } = {}) {
  const header = Array.from({ length: columns }, (_, i) => `Column ${i + 1}`);
  const cells = [["Schoology", ...Array(columns - 1).fill("")], header];
  for (let i = 0; i < rows; i += 1) {
    const row = Array(columns).fill("");
    row[0] = String(100000 + i);
    row[11] = `1_${String(i).padStart(6, "0")}`;
    row[22] = `1_${String(i).padStart(6, "0")}`;
    row[23] = 1;
    cells.push(row);
  }

  return cells;
}

export function metaCells(reportId = "r-0001") {
  return [
    ["key", "value"],
    ["report_id", reportId],
    ["format_version", 1],
  ];
}

// A fetch that records each request and returns the handler's response.
export function recordingFetch(handler) {
  const requests = [];
  const fetchImpl = async (url, request) => {
    requests.push({ url, ...request });
    const answer = await handler(url, request, requests.length - 1);
    return {
      ok: answer.status >= 200 && answer.status < 300,
      status: answer.status,
      json: async () => {
        if (answer.body === undefined) {
          throw new SyntaxError("Unexpected end of JSON input");
        }
        return answer.body;
      },
    };
  };

  return { fetchImpl, requests };
}

// An Office global with the parts the client uses: getFileAsync and dialogs.
export function fakeOffice({ fileBytes = new Uint8Array(0), sliceSize = 4, failFile = null } = {}) {
  const closed = [];
  const dialogs = [];
  const office = {
    FileType: { Compressed: "compressed" },
    AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
    EventType: {
      DialogMessageReceived: "dialogMessageReceived",
      DialogEventReceived: "dialogEventReceived",
    },
    closed,
    dialogs,
    context: {
      document: {
        getFileAsync(type, options, callback) {
          if (failFile) {
            callback({ status: "failed", error: { message: failFile } });
            return;
          }
          const size = options.sliceSize ?? sliceSize;
          const count = Math.max(1, Math.ceil(fileBytes.length / size));
          callback({
            status: "succeeded",
            value: {
              type,
              size: fileBytes.length,
              sliceCount: count,
              getSliceAsync(index, done) {
                const data = Array.from(fileBytes.slice(index * size, (index + 1) * size));
                done({ status: "succeeded", value: { index, data, size: data.length } });
              },
              closeAsync(done) {
                closed.push(type);
                done({ status: "succeeded" });
              },
            },
          });
        },
      },
      ui: {
        displayDialogAsync(url, options, callback) {
          const handlers = {};
          const dialog = {
            url,
            options,
            closed: false,
            addEventHandler(type, handler) {
              handlers[type] = handler;
            },
            close() {
              dialog.closed = true;
            },
            press(button) {
              handlers[office.EventType.DialogMessageReceived]({ message: button });
            },
          };
          dialogs.push(dialog);
          callback({ status: "succeeded", value: dialog });
        },
      },
    },
  };

  return office;
}

// A dialog stand-in that records each alert and presses the given buttons.
export function scriptedUi(answers = []) {
  const shown = [];
  return {
    shown,
    show: async (alert) => {
      shown.push(alert);
      return answers.shift() ?? "ok";
    },
  };
}
