"""The JSON API under /api, one router per area (listed in ``routers.API_ROUTERS``)."""
