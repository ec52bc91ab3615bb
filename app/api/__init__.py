"""The REST API (``/api/v1``): thin routes over the domain services."""
