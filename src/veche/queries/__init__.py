"""Read models for pages, the API and documents."""
