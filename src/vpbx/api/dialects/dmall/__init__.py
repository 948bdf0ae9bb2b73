"""The dmall dialect."""
