"""Scoring methods, each a relational plan independent of the execution backend."""
