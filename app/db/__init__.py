"""Persistence plumbing: engine, one unit of work per request or command, table metadata."""
