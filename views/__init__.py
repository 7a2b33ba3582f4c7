"""Blueprints, one per area of the product, and the template globals."""


def register_blueprints(app):
    """Register every area's blueprint on ``app``, then what every template
    may use (``views.template_globals``). Imported here, not at the top:
    ``access`` and ``actions.core`` import ``views.rendering``, and the
    areas import them, so a top-level import would be a cycle."""
    from views import (admin, api, auth, complaint_pages, complaints, data_exchange, factories,
                       homes, install, main, notifications, onboarding, renewals, sales,
                       template_globals)

    del complaint_pages  # imported for its routes, which it adds to complaints.bp
    for area in (main, install, auth, homes, admin, api, data_exchange, sales, onboarding,
                 factories, notifications, complaints, renewals):
        app.register_blueprint(area.bp)
    template_globals.register(app)
