"""Sphinx extensions the course book uses (registered in ``_config.yml``)."""
