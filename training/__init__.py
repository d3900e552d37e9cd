"""Training scripts for the shipped models (not part of the service image)."""
