"""The web pages: one blueprint per page group, registered by ``init_app``."""

from __future__ import annotations

from flask import Flask

from ..core.plural import counted

LOGIN_VIEW = "auth_views.login"


def init_app(app: Flask) -> None:
    """Register every page blueprint and make the sign-in page the login view.

    Templates get the ``counted`` filter, as in ``{{ rows|counted("row") }}``.
    """
    from . import auth_views, dataprep, logs, templates, updates, validate

    for module in (auth_views, dataprep, logs, templates, updates, validate):
        app.register_blueprint(module.bp)

    app.login_manager.login_view = LOGIN_VIEW
    app.add_template_filter(counted)
