"""Blueprints, one per area of the product."""


def register_blueprints(app):
    """Register every area's blueprint on ``app``."""
    from views import api, main

    app.register_blueprint(main.bp)
    app.register_blueprint(api.bp)
