"""Run commands and tests against a copy of the working tree, isolated and limited."""
