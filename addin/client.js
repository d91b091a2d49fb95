// The add-in's client for the SIS Data Prep server.
//
// It reads the open workbook through Office.js into the payload that xlwings'
// remote engine expects, posts it to the server with the user's API token, and
// applies the xlwings actions that come back (values, fill colours, selection,
// alerts). Large workbooks travel as the file itself, in slices.

export const META_SHEET = "_dataprep";
// xlwings' remote engine accepts any version from a client named "Office.js";
// this is the xlwings release that the server was built and tested with.
export const PAYLOAD_CLIENT = "Office.js";
export const PAYLOAD_VERSION = "0.37.8";
// Above this many cells, Submit and Validate send the file instead of values.
// NOTE: the threshold is an estimate; it was not measured in Excel itself.
export const MAX_PAYLOAD_CELLS = 1_500_000;
// Office.js caps a slice of getFileAsync at 4 MB.
export const SLICE_BYTES = 4 * 1024 * 1024;
// Excel on the web rejects a request or response over 5 MB, with the error
// code RequestPayloadSizeLimitExceeded or ResponsePayloadSizeLimitExceeded.
// One sync carries at most this many bytes of cell values by estimateBytes,
// which leaves room for the rest of the request.
export const MAX_SYNC_BYTES = 4 * 1024 * 1024;
// An estimate of the bytes that one queued operation adds to a request
// besides its values: the range's address and the operation itself.
export const OPERATION_BYTES = 256;
// A read aims at this many bytes of values. The size of the next rows is
// predicted from the rows read before them, and the margin up to the limit
// leaves room for rows with longer texts.
export const READ_TARGET_BYTES = MAX_SYNC_BYTES / 2;
// The size assumed for a cell before any row of the sheet has been read. It
// keeps the first chunk small, about 280 rows of a Mapping sheet, because a
// sheet may contain long texts, and the later chunks grow from its size.
const FIRST_READ_CELL_BYTES = 256;
const PAYLOAD_LIMIT_CODES = new Set([
  "RequestPayloadSizeLimitExceeded",
  "ResponsePayloadSizeLimitExceeded",
]);
export const SETTINGS_KEY = "sis-dataprep.settings";
export const DEFAULT_SETTINGS = Object.freeze({ token: "", minScore: 90 });

// An error whose message is written for the person at the keyboard.
export class AddinError extends Error {
  constructor(message, { status = 0 } = {}) {
    super(message);
    this.name = "AddinError";
    this.status = status;
  }
}

export function isMappingSheet(name) {
  return name === "Mapping" || /^Mapping \d+$/.test(name);
}

export function isNeededSheet(name) {
  return name === META_SHEET || isMappingSheet(name);
}

// Settings live in the add-in's localStorage, never in the workbook, so a
// token cannot travel with a file that is mailed around.
export function loadSettings(storage = globalThis.localStorage) {
  const text = storage?.getItem(SETTINGS_KEY);
  if (!text) {
    return { ...DEFAULT_SETTINGS };
  }

  try {
    return { ...DEFAULT_SETTINGS, ...JSON.parse(text) };
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

export function saveSettings(settings, storage = globalThis.localStorage) {
  const token = String(settings.token ?? "").trim();
  const minScore = Number(settings.minScore);
  if (!Number.isInteger(minScore) || minScore < 0 || minScore > 100) {
    throw new AddinError(
      `The minimum suggestion score '${settings.minScore}' is invalid. ` +
        "Enter a whole number from 0 to 100.",
    );
  }

  const saved = { token, minScore };
  storage.setItem(SETTINGS_KEY, JSON.stringify(saved));

  return saved;
}

function isPayloadLimitError(error) {
  return PAYLOAD_LIMIT_CODES.has(error?.code);
}

// Read a sheet's values from A1 to its last used cell, in chunks of rows,
// because Excel on the web rejects a response over 5 MB. A chunk has as many
// rows as fit in targetBytes at the bytes per row of the chunk before it. A
// chunk that Excel still rejects as too large is halved and read again.
export async function readSheetValues(
  context,
  sheet,
  { targetBytes = READ_TARGET_BYTES } = {},
) {
  sheet.load("name");
  const used = sheet.getUsedRangeOrNullObject(true);
  used.load("rowIndex,columnIndex,rowCount,columnCount");
  await context.sync();
  if (used.isNullObject) {
    return [[]];
  }

  const totalRows = used.rowIndex + used.rowCount;
  const totalColumns = used.columnIndex + used.columnCount;
  const values = [];
  const firstRowBytes = totalColumns * FIRST_READ_CELL_BYTES;
  let chunkRows = Math.max(1, Math.floor(targetBytes / firstRowBytes));
  let start = 0;
  while (start < totalRows) {
    const count = Math.min(chunkRows, totalRows - start);
    const chunk = sheet.getRangeByIndexes(start, 0, count, totalColumns);
    chunk.load("values");
    try {
      await context.sync();
    } catch (error) {
      if (!isPayloadLimitError(error)) {
        throw error;
      }
      // NOTE: reading on after a rejected sync ran only against the test
      // harness, not in Excel on the web.
      if (count === 1) {
        throw new AddinError(
          `Row ${start + 1} of the sheet '${sheet.name}' is larger than Excel on ` +
            "the web can hand over in one request (5 MB). Shorten the long texts " +
            "in that row, or run the command in Excel on Windows or on the Mac.",
        );
      }
      chunkRows = Math.ceil(count / 2);
      continue;
    }

    for (const row of chunk.values) {
      values.push(row);
    }
    const bytesPerRow = estimateBytes(chunk.values) / count;
    chunkRows = Math.max(1, Math.floor(targetBytes / bytesPerRow));
    start += count;
  }

  return values;
}

// Build the payload of xlwings' Office.js client: the book, its book-scope
// range names, and every sheet in workbook order. Sheets that `include`
// rejects are sent without values, so that sheet positions stay the same.
export async function buildPayload(context, { include = isNeededSheet } = {}) {
  const workbook = context.workbook;
  workbook.load("name");
  const worksheets = workbook.worksheets;
  worksheets.load("items/name,items/position,items/visibility");
  const active = worksheets.getActiveWorksheet();
  active.load("position");
  const names = workbook.names;
  names.load("items/name,items/type");
  await context.sync();

  const payload = {
    client: PAYLOAD_CLIENT,
    version: PAYLOAD_VERSION,
    book: {
      name: workbook.name,
      active_sheet_index: active.position,
      selection: await readSelection(context),
    },
    names: await readNames(context, names.items),
    sheets: [],
  };
  for (const sheet of worksheets.items) {
    const values = include(sheet.name)
      ? await readSheetValues(context, sheet)
      : [[]];
    payload.sheets.push({
      name: sheet.name,
      visibility: sheet.visibility,
      values,
      pictures: [],
      tables: [],
    });
  }

  return payload;
}

async function readSelection(context) {
  try {
    const selection = context.workbook.getSelectedRange();
    selection.load("address");
    await context.sync();

    return selection.address.split("!").pop();
  } catch {
    // A chart or a shape is selected, so there is no selected range.
    return null;
  }
}

async function readNames(context, items) {
  const ranges = items
    .filter((item) => item.type === "Range")
    .map((item) => {
      const range = item.getRange();
      range.load("address");
      range.worksheet.load("position");
      return { name: item.name, range };
    });
  if (ranges.length === 0) {
    return [];
  }

  await context.sync();

  return ranges.map(({ name, range }) => ({
    name,
    sheet_index: range.worksheet.position,
    address: range.address.split("!").pop(),
    scope_sheet_name: null,
    scope_sheet_index: null,
    book_scope: true,
  }));
}

// Matches printable ASCII other than the double quote and the backslash,
// the characters that JSON writes as one byte each.
const PLAIN_TEXT = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

// Estimate the bytes that a string takes in JSON, quotes included. A control
// character or one outside ASCII counts 6 bytes, the size of a \uXXXX escape,
// which is at least its size in UTF-8.
function stringBytes(text) {
  if (PLAIN_TEXT.test(text)) {
    return text.length + 2;
  }

  let bytes = 2;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0x22 || code === 0x5c) {
      bytes += 2;
    } else if (code >= 0x20 && code < 0x7f) {
      bytes += 1;
    } else {
      bytes += 6;
    }
  }

  return bytes;
}

// Estimate the bytes of one row of cell values in JSON, with its separators.
export function rowBytes(row) {
  let bytes = 3;
  for (const value of row) {
    bytes += typeof value === "string" ? stringBytes(value) + 1 : String(value).length + 1;
  }

  return bytes;
}

// Estimate the bytes of rows of cell values in JSON. How Office.js encodes a
// request to Excel was not measured, so MAX_SYNC_BYTES keeps a margin.
export function estimateBytes(rows) {
  let bytes = 2;
  for (const row of rows) {
    bytes += rowBytes(row);
  }

  return bytes;
}

export function countCells(payload) {
  let cells = 0;
  for (const sheet of payload.sheets) {
    cells += sheet.values.length * (sheet.values[0]?.length ?? 0);
  }

  return cells;
}

// Send a request to the server and return its JSON body. Every failure
// becomes an AddinError whose message tells the user what to do next.
export async function callServer(
  path,
  {
    origin,
    token,
    body,
    method = "POST",
    contentType = "application/json",
    fetchImpl = fetch,
  },
) {
  if (!token) {
    throw new AddinError(
      "No API token is set. Open SIS Data Prep > Templates, paste your API " +
        "token under Settings, and try again.",
    );
  }

  const headers = { Authorization: `Bearer ${token}`, Accept: "application/json" };
  const request = { method, headers };
  if (method !== "GET") {
    headers["Content-Type"] = contentType;
    request.body = contentType === "application/json" ? JSON.stringify(body) : body;
  }

  let response;
  try {
    response = await fetchImpl(`${origin}${path}`, request);
  } catch {
    throw new AddinError(
      `The SIS Data Prep server at ${origin} cannot be reached. Check that it ` +
        "is running and that this computer can reach it, then try again.",
    );
  }

  return readResponse(response, origin);
}

async function readResponse(response, origin) {
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }

  if (response.ok && data !== null) {
    return data;
  }

  // The server's errors carry a code in "error" and the sentence in "message".
  const message = data?.message ?? data?.error;
  if (response.status === 401) {
    throw new AddinError(
      "The server rejected the API token. Ask an administrator for a new " +
        "token (dataprep create-token USERNAME), paste it under SIS Data Prep > " +
        "Templates > Settings, and try again.",
      { status: 401 },
    );
  }

  if (message) {
    throw new AddinError(message, { status: response.status });
  }

  throw new AddinError(
    `The server at ${origin} responded with HTTP ${response.status} and no ` +
      "explanation. Try again, and tell your administrator if it persists.",
    { status: response.status },
  );
}

function sheetAt(sheets, action) {
  const sheet = sheets[action.sheet_position];
  if (!sheet) {
    throw new AddinError(
      `The server referred to sheet position ${action.sheet_position}, but ` +
        "the workbook has no such sheet. Run the command again.",
    );
  }

  return sheet;
}

function rangeOf(sheets, action) {
  return sheetAt(sheets, action).getRangeByIndexes(
    action.start_row,
    action.start_column,
    action.row_count,
    action.column_count,
  );
}

// Queued operations of one Excel.run, synced together until their estimated
// bytes reach maxBytes. Many small writes share one round trip to Excel, and
// each request stays under Excel on the web's size limit by the estimate.
export class WriteBatch {
  constructor(context, maxBytes = MAX_SYNC_BYTES) {
    this.context = context;
    this.maxBytes = maxBytes;
    this.pendingBytes = 0;
  }

  room() {
    return this.maxBytes - this.pendingBytes;
  }

  // Count an operation that the caller has just queued, and sync when the
  // batch is full.
  async add(bytes) {
    this.pendingBytes += bytes;
    if (this.pendingBytes >= this.maxBytes) {
      await this.flush();
    }
  }

  async flush() {
    if (this.pendingBytes > 0) {
      this.pendingBytes = 0;
      await this.context.sync();
    }
  }
}

// Write an action's values as ranges of whole rows, each sized to the room
// left in the batch. A row larger than the whole batch goes alone. A null
// value leaves its cell unchanged, as Office.js documents for Range.values.
async function setValues(batch, sheets, action) {
  const sheet = sheetAt(sheets, action);
  const rows = action.values;
  let start = 0;
  while (start < rows.length) {
    let bytes = OPERATION_BYTES + rowBytes(rows[start]);
    if (bytes > batch.room()) {
      await batch.flush();
    }

    let end = start + 1;
    while (end < rows.length) {
      const next = rowBytes(rows[end]);
      if (bytes + next > batch.room()) {
        break;
      }
      bytes += next;
      end += 1;
    }

    const range = sheet.getRangeByIndexes(
      action.start_row + start,
      action.start_column,
      end - start,
      action.column_count,
    );
    range.values = rows.slice(start, end);
    await batch.add(bytes);
    start = end;
  }
}

async function setRangeColor(batch, sheets, action) {
  const fill = rangeOf(sheets, action).format.fill;
  const color = action.args[0];
  if (color === null || color === undefined) {
    fill.clear();
  } else {
    fill.color = String(color);
  }
  await batch.add(OPERATION_BYTES);
}

async function rangeSelect(batch, sheets, action) {
  rangeOf(sheets, action).select();
  await batch.add(OPERATION_BYTES);
}

async function activateSheet(batch, sheets, action) {
  sheetAt(sheets, { sheet_position: Number(action.args[0]) }).activate();
  await batch.add(OPERATION_BYTES);
}

export const ACTION_HANDLERS = Object.freeze({
  setValues,
  setRangeColor,
  rangeSelect,
  activateSheet,
});

const WRITE_ACTIONS = new Set(["setValues", "setRangeColor"]);

function parseAlert(action) {
  const [prompt, title, buttons, mode, callback] = action.args;
  return {
    prompt: String(prompt ?? ""),
    title: String(title ?? ""),
    buttons: String(buttons || "ok"),
    mode: String(mode ?? ""),
    callback: String(callback ?? ""),
  };
}

// Lift the sheet protection of the given sheets, run `work`, and protect them
// again with the options they had, also when `work` fails.
export async function withUnprotected(context, sheets, work) {
  const states = sheets.map((sheet) => {
    sheet.protection.load("protected,options");
    return { sheet };
  });
  await context.sync();

  for (const state of states) {
    state.protected = state.sheet.protection.protected;
    state.options = state.sheet.protection.options;
    if (state.protected) {
      state.sheet.protection.unprotect();
    }
  }

  try {
    await context.sync();
  } catch {
    throw new AddinError(
      "A Mapping sheet is protected with a password, so the add-in cannot " +
        "write the Status column. Remove the password (Review > Unprotect " +
        "Sheet), protect the sheet again without one, and run the command again.",
    );
  }

  try {
    return await work();
  } finally {
    for (const state of states) {
      if (state.protected) {
        state.sheet.protection.protect(state.options);
      }
    }
    await context.sync();
  }
}

// Apply the actions of one server response and return its alerts, which the
// caller shows once the workbook batch is done. The writes go to Excel in as
// few syncs as MAX_SYNC_BYTES allows, however many actions there are.
export async function applyActions(context, actions, { maxBytes = MAX_SYNC_BYTES } = {}) {
  const worksheets = context.workbook.worksheets;
  worksheets.load("items/name");
  await context.sync();
  const sheets = worksheets.items;

  const alerts = [];
  const writes = [];
  const touched = new Set();
  for (const action of actions) {
    if (action.func === "alert") {
      alerts.push(parseAlert(action));
    } else if (ACTION_HANDLERS[action.func]) {
      writes.push(action);
      if (WRITE_ACTIONS.has(action.func)) {
        touched.add(action.sheet_position);
      }
    } else {
      throw new AddinError(
        `The server sent the action '${action.func}', which this add-in does ` +
          "not know. Reload the add-in (close and reopen the workbook) to get " +
          "the current version.",
      );
    }
  }

  const protectedSheets = [...touched].map((position) =>
    sheetAt(sheets, { sheet_position: position }),
  );
  await withUnprotected(context, protectedSheets, async () => {
    const batch = new WriteBatch(context, maxBytes);
    for (const action of writes) {
      await ACTION_HANDLERS[action.func](batch, sheets, action);
    }
    await batch.flush();
  });

  return alerts;
}

function getFile(document, sliceSize) {
  return new Promise((resolve, reject) => {
    document.getFileAsync(Office.FileType.Compressed, { sliceSize }, (result) => {
      if (result.status === Office.AsyncResultStatus.Succeeded) {
        resolve(result.value);
      } else {
        reject(result.error);
      }
    });
  });
}

function getSlice(file, index) {
  return new Promise((resolve, reject) => {
    file.getSliceAsync(index, (result) => {
      if (result.status === Office.AsyncResultStatus.Succeeded) {
        resolve(result.value);
      } else {
        reject(result.error);
      }
    });
  });
}

function closeFile(file) {
  return new Promise((resolve) => file.closeAsync(() => resolve()));
}

// Upload the open workbook itself, slice by slice, and return the upload id
// that the server's file endpoints take.
export async function uploadWorkbook({
  origin,
  token,
  name = "",
  document = Office.context.document,
  fetchImpl = fetch,
  sliceSize = SLICE_BYTES,
}) {
  let file;
  try {
    file = await getFile(document, sliceSize);
  } catch (error) {
    throw new AddinError(
      `Excel could not hand over the workbook file (${error?.message ?? error}). ` +
        "Save the workbook and try again.",
    );
  }

  try {
    const started = await callServer("/addin/files", {
      origin,
      token,
      fetchImpl,
      body: { slices: file.sliceCount, size: file.size, name },
    });
    for (let index = 0; index < file.sliceCount; index += 1) {
      const slice = await getSlice(file, index);
      await callServer(`/addin/files/${started.upload_id}/slices/${index}`, {
        origin,
        token,
        fetchImpl,
        body: new Uint8Array(slice.data),
        contentType: "application/octet-stream",
      });
    }

    return started.upload_id;
  } finally {
    await closeFile(file);
  }
}
