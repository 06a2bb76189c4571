"""What builds the book: Sphinx extensions (self-checks, the in-page coach, citation style), the
self-check question data and the evidence figure (registered in ``_config.yml``)."""
