"""The Textual app: chat, diff and test panes."""
