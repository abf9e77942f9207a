"""Tasks the court sets grid assistants, and their answers."""
