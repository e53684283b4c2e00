"""The web application: JSON API under /api and server-rendered pages."""
