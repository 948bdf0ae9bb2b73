"""The omicall dialect."""
