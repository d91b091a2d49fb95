"""The next steps that messages suggest, in the words of the front end showing them.

A message that tells the user what to do next names an action of the front
end that shows it: a web page asks to "upload it again", the command line to
"run the command again". The core and the services build such messages with ``step``
and ``sentence_step``, so each rule is written once. The command line selects
its words with ``use(CLI)`` for the length of a command, and the JSON API with
``select(API)`` for the length of a request, so that it names routes in place
of pages. Pages, the Excel add-in and jobs on worker threads see the web's
words, the default, because a new thread starts with the default of every
context variable.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar, Token

WEB = "web"
CLI = "cli"
API = "api"
FRONT_ENDS = (WEB, CLI, API)

# Each step starts in lower case, to follow a semicolon or "and", and
# ``sentence_step`` capitalizes it to start a sentence. Placeholders are
# filled from the keyword arguments of ``step``.
STEPS: dict[str, dict[str, str]] = {
    "generate_report": {
        WEB: "generate a new report from the Data Prep page",
        CLI: "generate a new report with 'dataprep report'",
        API: "generate a new report with POST /api/reports",
    },
    "generate_one": {
        WEB: "generate one from the Data Prep page",
        CLI: "generate one with 'dataprep report'",
        API: "generate one with POST /api/reports",
    },
    "get_newest_report": {
        WEB: "download the newest report from the Logs page",
        CLI: "generate a new report with 'dataprep report --output FILE.xlsx'",
        API: "download the newest report, which GET /api/reports lists first",
    },
    "get_report_again": {
        WEB: "download the report again",
        CLI: "start again from the file that 'dataprep report' wrote",
        API: "download the report again",
    },
    "get_stored_report": {
        WEB: "download report {report_id} again from the Logs page",
        CLI: "start again from the file that 'dataprep report' wrote for report "
        "{report_id}",
        API: "download report {report_id} again from "
        "GET /api/reports/{report_id}/download/xlsx",
    },
    "list_reports": {
        WEB: "list the reports on the Logs page",
        CLI: "list the reports on the Logs page of 'dataprep serve'",
        API: "list the reports with GET /api/reports",
    },
    "send_again": {
        WEB: "upload it again",
        CLI: "run the command again",
        API: "upload it again",
    },
    "send_file": {
        WEB: "upload a {kinds} file",
        CLI: "give a {kinds} file",
        API: "upload a {kinds} file",
    },
    "send_report": {
        WEB: "upload the user mapping report",
        CLI: "give the user mapping report",
        API: "upload the user mapping report",
    },
    "send_report_as_written": {
        WEB: "upload the user mapping report as you downloaded it",
        CLI: "give the user mapping report as 'dataprep report' wrote it",
        API: "upload the user mapping report as you downloaded it",
    },
    "choose_file": {
        WEB: "choose the exported file and upload it",
        CLI: "check the file and run the command again",
        API: "check the exported file and upload it again",
    },
    "preview_again": {
        WEB: "preview the workbook again",
        CLI: "run 'dataprep apply' again",
        API: "preview the workbook again with POST /api/updates/preview",
    },
}

_front_end: ContextVar[str] = ContextVar("front_end", default=WEB)


def step(key: str, **values: object) -> str:
    """Return the words of a next step for the current front end."""
    return STEPS[key][_front_end.get()].format(**values)


def sentence_step(key: str, **values: object) -> str:
    """Return a next step that starts a sentence, with its first letter upper case."""
    text = step(key, **values)

    return text[:1].upper() + text[1:]


def select(front_end: str) -> Token[str]:
    """Word the next steps for ``front_end`` until ``restore`` gets the token.

    :raise ValueError: for a front end other than WEB, CLI or API.
    """
    if front_end not in FRONT_ENDS:
        raise ValueError(
            f"Front end {front_end!r} is invalid; use {', '.join(FRONT_ENDS)}."
        )

    return _front_end.set(front_end)


def restore(token: Token[str]) -> None:
    """Go back to the words in effect before the ``select`` that gave ``token``."""
    _front_end.reset(token)


@contextlib.contextmanager
def use(front_end: str) -> Iterator[None]:
    """Word the next steps of the messages raised in the block for ``front_end``.

    :raise ValueError: for a front end other than WEB, CLI or API.
    """
    token = select(front_end)
    try:
        yield
    finally:
        restore(token)
