"""Member models."""
