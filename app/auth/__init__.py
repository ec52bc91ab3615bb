"""Who is asking: web users with roles and sessions, API tokens with scopes."""
