"""Blueprints, one per area of the product."""


def register_blueprints(app):
    """Register every area's blueprint on ``app``."""
    from views import (admin, api, auth, data_exchange, homes, install, main, onboarding, renewals,
                       sales)

    app.register_blueprint(main.bp)
    app.register_blueprint(install.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(homes.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(data_exchange.bp)
    app.register_blueprint(sales.bp)
    app.register_blueprint(onboarding.bp)

    from views import factories, notifications

    app.register_blueprint(factories.bp)
    app.register_blueprint(notifications.bp)

    from views import complaint_pages, complaints  # noqa: F401 (pages add routes)

    app.register_blueprint(complaints.bp)
    app.register_blueprint(renewals.bp)
