"""Webhooks: signed event deliveries to subscribers' URLs, recorded and retried with backoff."""
