"""Routes of the Excel add-in: its files, the manifest, and its commands.

Validate and Submit take the payload of xlwings' Office.js client, or an
upload id for a workbook sent as a file in slices, and respond with xlwings
actions for the add-in to apply. Every command signs in with the user's API
token (``Authorization: Bearer``), and only an admin may Submit.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import abort, current_app, jsonify, request, send_from_directory

from ..auth import admin_required, current_actor, viewer_required
from . import bp, commands, manifest, slices

logger = logging.getLogger(__name__)

# The add-in's own files, by suffix; tests and node_modules are not served.
SERVED_SUFFIXES = {".html", ".js", ".css", ".png"}


def addin_folder() -> Path:
    return Path(current_app.config["DATAPREP_ADDIN_DIR"])


def actor_id() -> int | None:
    actor = current_actor()

    return actor.id if actor is not None else None


def json_body() -> dict | None:
    body = request.get_json(silent=True)

    return body if isinstance(body, dict) else None


@bp.get("/manifest.xml")
def manifest_xml():
    """Return the manifest with every URL on this server's origin."""
    text = manifest.render(addin_folder() / "manifest.xml", manifest.base_url())
    response = current_app.response_class(text, mimetype="application/xml")
    if request.args.get("download"):
        response.headers["Content-Disposition"] = (
            "attachment; filename=sis-dataprep-manifest.xml"
        )

    return response


@bp.get("/help")
def help_page():
    return current_app.response_class(manifest.help_html(), mimetype="text/html")


@bp.get("/<path:name>")
def addin_file(name: str):
    """Serve one of the add-in's pages, scripts, styles or icons.

    :raise 404: for any other file.
    """
    path = Path(name)
    if path.suffix not in SERVED_SUFFIXES or path.parts[0] in {"test", "node_modules"}:
        abort(404, f"The add-in has no file named {name!r}.")

    response = send_from_directory(addin_folder(), name)
    # Office caches add-in files hard; revalidating keeps a sideloaded add-in
    # in step with the server it came from.
    response.headers["Cache-Control"] = "no-cache"

    return response


@bp.post("/validate")
@viewer_required
def validate():
    """Validate the open workbook and return the Status writes and the alert."""
    return jsonify(commands.validate_payload(json_body()))


@bp.post("/submit")
@admin_required
def submit():
    """Preview Update Users, or apply the preview named by ``?confirm=``."""
    confirm = request.args.get("confirm")

    return jsonify(commands.submit_payload(json_body(), confirm, current_actor()))


@bp.post("/accept-suggestions")
@viewer_required
def accept_suggestions():
    """Fill empty Integration-Mapping IDs with suggestions scored high enough."""
    min_score = request.args.get("min_score", "")

    return jsonify(commands.accept_payload(json_body(), min_score))


@bp.post("/files")
@viewer_required
def start_file():
    """Start a workbook upload in slices and return its upload id."""
    body = json_body() or {}
    upload = slices.start(
        body.get("slices"), body.get("size"), actor_id(), body.get("name")
    )

    return jsonify(upload_id=upload.upload_id, slices=upload.slices), 201


@bp.post("/files/<upload_id>/slices/<int:index>")
@viewer_required
def add_slice(upload_id: str, index: int):
    upload = slices.load(upload_id, actor_id())
    received = slices.add_slice(upload, index, request.get_data(cache=False))

    return jsonify(upload_id=upload_id, received=received)


@bp.post("/files/<upload_id>/validate")
@viewer_required
def validate_file(upload_id: str):
    upload = slices.load(upload_id, actor_id())
    data = slices.assemble(upload)

    return jsonify(commands.validate_file(data, upload.name))


@bp.post("/files/<upload_id>/submit")
@admin_required
def submit_file(upload_id: str):
    upload = slices.load(upload_id, actor_id())
    data = slices.assemble(upload)
    confirm = request.args.get("confirm")

    return jsonify(commands.submit_file(data, upload.name, confirm, current_actor()))


@bp.get("/library")
@viewer_required
def library():
    """List the templates and the latest reports for the Templates pane."""
    return jsonify(commands.library())


@bp.get("/templates/<name>")
def template_file(name: str):
    """Download a blank template; templates hold no data, so no token is needed."""
    if not name.endswith(".xlsx"):
        abort(404, f"No template is named {name!r}.")

    return send_from_directory(
        current_app.config["DATAPREP_TEMPLATES_DIR"], name, as_attachment=True
    )
