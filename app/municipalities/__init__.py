"""Municipalities (tenants) and the official code lists of Finland and Sweden."""
