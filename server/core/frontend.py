"""The next steps that messages suggest, in the words of the front end showing them.

A message that tells the user what to do next names an action of the front
end that shows it: a web page asks to "upload it again", the command line to
"run the command again". The core and the services build such messages with ``step``
and ``sentence_step``, so each rule is written once. The command line selects
its words with ``use(CLI)`` for the length of a command. Pages, the JSON API,
the Excel add-in and jobs on worker threads see the web's words, the default,
because a new thread starts with the default of every context variable.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

WEB = "web"
CLI = "cli"

# Each step starts in lower case, to follow a semicolon or "and", and
# ``sentence_step`` capitalizes it to start a sentence. Placeholders are
# filled from the keyword arguments of ``step``.
STEPS: dict[str, dict[str, str]] = {
    "generate_report": {
        WEB: "generate a new report from the Data Prep page",
        CLI: "generate a new report with 'dataprep report'",
    },
    "generate_one": {
        WEB: "generate one from the Data Prep page",
        CLI: "generate one with 'dataprep report'",
    },
    "get_newest_report": {
        WEB: "download the newest report from the Logs page",
        CLI: "generate a new report with 'dataprep report --output FILE.xlsx'",
    },
    "get_report_again": {
        WEB: "download the report again",
        CLI: "start again from the file that 'dataprep report' wrote",
    },
    "get_stored_report": {
        WEB: "download report {report_id} again from the Logs page",
        CLI: "start again from the file that 'dataprep report' wrote for report "
        "{report_id}",
    },
    "send_again": {
        WEB: "upload it again",
        CLI: "run the command again",
    },
    "send_file": {
        WEB: "upload a {kinds} file",
        CLI: "give a {kinds} file",
    },
    "send_report": {
        WEB: "upload the user mapping report",
        CLI: "give the user mapping report",
    },
    "send_report_as_written": {
        WEB: "upload the user mapping report as you downloaded it",
        CLI: "give the user mapping report as 'dataprep report' wrote it",
    },
    "choose_file": {
        WEB: "choose the exported file and upload it",
        CLI: "check the file and run the command again",
    },
    "preview_again": {
        WEB: "preview the workbook again",
        CLI: "run 'dataprep apply' again",
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


@contextlib.contextmanager
def use(front_end: str) -> Iterator[None]:
    """Word the next steps of the messages raised in the block for ``front_end``.

    :raise ValueError: for a front end other than WEB or CLI.
    """
    if front_end not in (WEB, CLI):
        raise ValueError(f"Front end {front_end!r} is invalid; use web or cli.")

    token = _front_end.set(front_end)
    try:
        yield
    finally:
        _front_end.reset(token)
