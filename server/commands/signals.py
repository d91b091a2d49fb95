"""One line on standard error when SIGINT or SIGTERM stops a command.

Python ends a process on SIGTERM at once, and Click reports Ctrl+C with a bare
"Aborted!". A command that writes files or changes the database runs its work
inside ``stopped_with`` instead. Both signals then unwind the stack like Ctrl+C,
so cleanup code runs. The command prints what the stop left behind, such as
"Stopped; nothing was changed.", and exits with status 128 + the signal.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import click

logger = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass(slots=True)
class StopNote:
    """The line to print if a signal stops the command now.

    The command replaces ``message`` as its work progresses. A callable is
    called after the stop, so it can look up what was committed.
    """

    message: str | Callable[[], str]
    signal_number: int | None = None

    def text(self) -> str:
        if callable(self.message):
            return self.message()

        return self.message


@contextlib.contextmanager
def stopped_with(message: str | Callable[[], str]) -> Iterator[StopNote]:
    """Turn SIGINT and SIGTERM in the block into one line and an exit status.

    Outside the main thread, where Python cannot set signal handlers, the
    block runs as it is.
    """
    note = StopNote(message)
    if threading.current_thread() is not threading.main_thread():
        yield note
        return

    def interrupt(signal_number, _frame):
        note.signal_number = signal_number
        raise KeyboardInterrupt

    previous = {number: signal.signal(number, interrupt) for number in STOP_SIGNALS}
    try:
        yield note
    except (KeyboardInterrupt, click.Abort):
        # click.confirm turns Ctrl+C into Abort, and so does answering "no".
        if note.signal_number is None:
            raise
        stop(note)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def stop(note: StopNote) -> None:
    """Print the note's line and exit, ignoring further signals meanwhile."""
    for number in STOP_SIGNALS:
        signal.signal(number, signal.SIG_IGN)

    name = signal.Signals(note.signal_number).name
    logger.info("Stopped by %s", name)
    click.echo(note.text(), err=True)
    sys.exit(128 + note.signal_number)
