"""The next steps of messages, worded for the web, the command line or the API."""

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


def test_select_api_words_until_restore():
    token = frontend.select(frontend.API)
    api_words = frontend.step("generate_report")
    frontend.restore(token)

    assert api_words == "generate a new report with POST /api/reports"
    assert frontend.step("generate_report") == (
        "generate a new report from the Data Prep page"
    )


@pytest.mark.parametrize("key", sorted(frontend.STEPS))
def test_api_steps_name_no_page(key):
    text = frontend.STEPS[key][frontend.API]

    assert "page" not in text
    assert "dataprep" not in text


def test_sentence_step_capitalizes_first_letter():
    with frontend.use(frontend.CLI):
        text = frontend.sentence_step("get_stored_report", report_id="r1")

    assert text == (
        "Start again from the file that 'dataprep report' wrote for report r1"
    )


@pytest.mark.parametrize("key", sorted(frontend.STEPS))
def test_every_step_has_every_front_end(key):
    words = frontend.STEPS[key]
    fields = {
        front_end: {
            name
            for _text, name, _spec, _conversion in string.Formatter().parse(text)
            if name is not None
        }
        for front_end, text in words.items()
    }

    assert set(words) == set(frontend.FRONT_ENDS)
    assert fields[frontend.CLI] == fields[frontend.WEB]
    assert fields[frontend.API] == fields[frontend.WEB]
    for front_end in frontend.FRONT_ENDS:
        assert words[front_end][0].islower(), front_end
