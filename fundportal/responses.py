"""Small response helpers every layer may use (admin, history pages, views)."""


def no_store(response):
    """Pages that show personal data must not be kept by browsers or proxies."""
    response["Cache-Control"] = "no-store"
    return response
