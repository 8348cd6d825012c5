"""Model access: litellm for every provider, plus a replay model for tests and demos."""
