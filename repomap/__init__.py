"""A tree-sitter repository map: ranked, token-budgeted, cached."""
