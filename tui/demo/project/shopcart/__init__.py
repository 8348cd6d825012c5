"""A tiny shopping cart used by the hunkwise demo."""
