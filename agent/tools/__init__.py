"""The tools the model may call: typed arguments, repo-confined, pending-changes only."""
