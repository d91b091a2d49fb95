"""The add-in manifest rendered for this server, and the add-in's help page."""

from __future__ import annotations

import logging
from pathlib import Path
from string import Template
from xml.sax.saxutils import escape

from flask import current_app, request

logger = logging.getLogger(__name__)


def base_url() -> str:
    """Return the origin that the manifest's URLs use.

    ``DATAPREP_PUBLIC_URL`` wins when the server sits behind a proxy, because
    the request's own host is then the proxy's view of it.
    """
    configured = current_app.config.get("DATAPREP_PUBLIC_URL") or ""
    url = (configured or request.host_url).rstrip("/")
    if not url.startswith("https://"):
        logger.warning("Rendering the add-in manifest for a non-HTTPS origin")

    return url


def render(template: Path, url: str) -> str:
    """Fill the manifest template's ``${base_url}`` placeholders with ``url``."""
    text = template.read_text(encoding="utf-8")

    return Template(text).substitute(base_url=escape(url, {'"': "&quot;"}))


def help_html() -> str:
    return """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>SIS Data Prep add-in</title>
<link rel="stylesheet" href="addin.css"></head>
<body><main class="pane">
<h1>SIS Data Prep add-in</h1>
<p>Open a user mapping report that SIS Data Prep generated, then use the
SIS Data Prep tab on the ribbon.</p>
<ul>
<li><strong>Validate</strong> checks every row and writes its status into the
Status column. Bad cells turn red, and a dialog gives the counts and the first
error.</li>
<li><strong>Submit</strong> validates first. Without errors it shows how many
Schoology users will change and asks for confirmation before it runs Update
Users. Only an admin's API token can submit.</li>
<li><strong>Templates</strong> lists the blank templates and the latest
reports, and holds the settings: your API token and the minimum score for
accepting suggestions.</li>
</ul>
<p>An administrator prints an API token with
<code>dataprep create-token USERNAME</code>.</p>
</main></body>
</html>
"""
