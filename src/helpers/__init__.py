"""Helpers for the research book on Finnish social assistance."""
