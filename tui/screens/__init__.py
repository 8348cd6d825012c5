"""Modal screens: help, commit approval, and the reason and edit prompts."""
