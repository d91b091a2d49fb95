"""``stopped_with``: a signal that stops a block prints one line and exits."""

import os
import signal

import click
import pytest

from server.commands.signals import stopped_with


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_signal_prints_note_and_exits(capsys, signal_number):
    with pytest.raises(SystemExit) as exited:
        with stopped_with("Stopped; nothing was changed.") as note:
            note.message = lambda: "Stopped; the latest note."
            os.kill(os.getpid(), signal_number)

    assert exited.value.code == 128 + signal_number
    assert capsys.readouterr().err == "Stopped; the latest note.\n"


def test_handlers_restored_after_block():
    before = {
        number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)
    }
    with stopped_with("Stopped."):
        inside = signal.getsignal(signal.SIGTERM)

    assert inside is not before[signal.SIGTERM]
    assert signal.getsignal(signal.SIGINT) is before[signal.SIGINT]
    assert signal.getsignal(signal.SIGTERM) is before[signal.SIGTERM]


def test_abort_without_signal_raised(capsys):
    # Answering "no" to click.confirm raises Abort too, which Click reports.
    with pytest.raises(click.Abort):
        with stopped_with("Stopped."):
            raise click.Abort()

    assert capsys.readouterr().err == ""
