"""API views: thin wrappers that parse the request and call a service."""

from __future__ import annotations

import json
from importlib import resources

from flask import jsonify
from flask_login import current_user

from ..auth import viewer_required
from . import bp


@bp.get("/openapi.json")
def openapi():
    """Serve the OpenAPI 3.1 description of this API."""
    text = resources.files("server.api").joinpath("openapi.json").read_text("utf-8")

    return jsonify(json.loads(text))


@bp.get("/me")
@viewer_required
def me():
    """Describe the signed-in account."""
    return jsonify(username=current_user.username, role=current_user.role)
