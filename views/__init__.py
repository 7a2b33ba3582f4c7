"""Blueprints, one per area of the product."""


def register_blueprints(app):
    """Register every area's blueprint on ``app``."""
    from views import data_exchange, main

    app.register_blueprint(main.bp)
    app.register_blueprint(data_exchange.bp)
