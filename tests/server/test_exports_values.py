"""The Schoology import files keep every value exactly as Schoology stores it."""

import csv
import io
import logging

from server.services.exports import IMPORT_COLUMNS, write_csv


def test_values_written_unchanged(caplog):
    row = ["104857399", "1_S88399", "@lex", "-", "=Rivera", "", "", "", "", ""]
    caplog.set_level(logging.WARNING, logger="server.services.exports")

    data = write_csv([row])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8").removeprefix("\ufeff"))))

    assert rows == [list(IMPORT_COLUMNS), row]
    assert caplog.messages == [
        "Exported 3 cells that start like a formula; open the file as text"
    ]


def test_plain_values_log_nothing(caplog):
    row = ["104857301", "1_S88213", "Ava", "June", "Thompson", "", "", "", "", ""]
    caplog.set_level(logging.WARNING, logger="server.services.exports")

    write_csv([row])

    assert caplog.messages == []
