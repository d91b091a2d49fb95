"""The next steps of messages, worded for the web or the command line."""

import string

import pytest

from server.core import frontend


def test_step_defaults_to_web():
    assert frontend.step("send_again") == "upload it again"


def test_use_cli_words_steps():
    with frontend.use(frontend.CLI):
        text = frontend.step("send_file", kinds=".xlsx")

    assert text == "give a .xlsx file"
    assert frontend.step("send_file", kinds=".xlsx") == "upload a .xlsx file"


def test_use_restores_after_error():
    with pytest.raises(KeyError), frontend.use(frontend.CLI):
        frontend.step("no-such-step")

    assert frontend.step("send_again") == "upload it again"


def test_use_rejects_unknown_front_end():
    with pytest.raises(ValueError, match="Front end 'excel' is invalid"):
        with frontend.use("excel"):
            pass


def test_sentence_step_capitalizes_first_letter():
    with frontend.use(frontend.CLI):
        text = frontend.sentence_step("get_stored_report", report_id="r1")

    assert text == (
        "Start again from the file that 'dataprep report' wrote for report r1"
    )


@pytest.mark.parametrize("key", sorted(frontend.STEPS))
def test_every_step_has_both_front_ends(key):
    words = frontend.STEPS[key]
    fields = {
        front_end: {
            name
            for _text, name, _spec, _conversion in string.Formatter().parse(text)
            if name is not None
        }
        for front_end, text in words.items()
    }

    assert set(words) == {frontend.WEB, frontend.CLI}
    assert fields[frontend.WEB] == fields[frontend.CLI]
    assert words[frontend.WEB][0].islower()
    assert words[frontend.CLI][0].islower()
