// The task pane: template and report downloads, "accept suggestions", and the
// settings (API token and minimum suggestion score).

import {
  AddinError,
  applyActions,
  buildPayload,
  callServer,
  loadSettings,
  saveSettings,
} from "./client.js";

function base64FromBuffer(buffer) {
  const bytes = new Uint8Array(buffer);
  let text = "";
  for (let start = 0; start < bytes.length; start += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(start, start + 0x8000));
  }

  return btoa(text);
}

// Open an xlsx from the server as a new workbook, so that nothing has to be
// saved to disk first. Excel.createWorkbook needs ExcelApi 1.8.
export async function openWorkbook(url, { token, fetchImpl = fetch, excel = Excel }) {
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  let response;
  try {
    response = await fetchImpl(url, { headers });
  } catch {
    throw new AddinError(`The server cannot be reached to download ${url}.`);
  }

  if (!response.ok) {
    throw new AddinError(
      `Downloading ${url} failed with HTTP ${response.status}. Check the API ` +
        "token under Settings and try again.",
    );
  }

  await excel.createWorkbook(base64FromBuffer(await response.arrayBuffer()));
}

// A list item with a download link, or with plain text when the file needs
// the API token, because a link cannot send it. Both get an Open in Excel
// button.
function fileItem(document, label, url, open, { link = true } = {}) {
  const item = document.createElement("li");
  if (link) {
    const anchor = document.createElement("a");
    anchor.href = url;
    anchor.textContent = label;
    anchor.setAttribute("download", "");
    item.appendChild(anchor);
  } else {
    item.appendChild(document.createTextNode(label));
  }
  if (open) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Open in Excel";
    button.setAttribute("aria-label", `Open ${label} in Excel`);
    button.addEventListener("click", open);
    item.appendChild(document.createTextNode(" "));
    item.appendChild(button);
  }

  return item;
}

export function describeReport(report) {
  const counts = report.counts ?? {};
  const scenarios = [1, 2, 3].map((n) => `scenario ${n}: ${counts[n] ?? 0}`).join(", ");

  // The server stores times in UTC; minutes are precise enough to tell
  // reports apart in the list.
  const when = String(report.created_at).replace("T", " ").slice(0, 16);

  return `Report ${report.id} of ${when} UTC (${scenarios})`;
}

export function renderLibrary(document, library, open) {
  const templates = document.getElementById("templates");
  templates.replaceChildren(
    ...library.templates.map((template) =>
      fileItem(document, template.name, template.url, () => open(template.url)),
    ),
  );

  const reports = document.getElementById("reports");
  if (library.reports.length === 0) {
    const empty = document.createElement("li");
    empty.textContent = "No report has been generated yet.";
    reports.replaceChildren(empty);
    return;
  }

  reports.replaceChildren(
    ...library.reports.map((report) =>
      fileItem(document, describeReport(report), report.xlsx_url, () => open(report.xlsx_url), {
        link: false,
      }),
    ),
  );
}

export async function acceptSuggestions({ excel, origin, settings, fetchImpl }) {
  return excel.run(async (context) => {
    const payload = await buildPayload(context);
    const result = await callServer(
      `/addin/accept-suggestions?min_score=${settings.minScore}`,
      { origin, token: settings.token, fetchImpl, body: payload },
    );
    await applyActions(context, result.actions);
    return result;
  });
}

function showMessage(text) {
  document.getElementById("message").textContent = text;
}

async function guarded(work) {
  try {
    await work();
  } catch (error) {
    showMessage(error instanceof AddinError ? error.message : `Error: ${error.message}`);
  }
}

async function refresh() {
  const settings = loadSettings();
  const origin = location.origin;
  const library = await callServer("/addin/library", {
    origin,
    token: settings.token,
    method: "GET",
  });
  renderLibrary(document, library, (url) =>
    guarded(() => openWorkbook(url, { token: settings.token })),
  );
}

function start() {
  const settings = loadSettings();
  const form = document.getElementById("settings");
  form.elements.token.value = settings.token;
  form.elements.minScore.value = settings.minScore;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(async () => {
      saveSettings({
        token: form.elements.token.value,
        minScore: form.elements.minScore.value,
      });
      showMessage("Settings saved.");
      await refresh();
    });
  });

  document.getElementById("refresh").addEventListener("click", () => guarded(refresh));
  document.getElementById("accept").addEventListener("click", () =>
    guarded(async () => {
      const result = await acceptSuggestions({
        excel: Excel,
        origin: location.origin,
        settings: loadSettings(),
        fetchImpl: fetch,
      });
      showMessage(result.message);
    }),
  );

  if (settings.token) {
    guarded(refresh);
  } else {
    showMessage("Paste your API token under Settings to start.");
  }
}

Office.onReady(start);
