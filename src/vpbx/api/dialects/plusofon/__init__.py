"""The Plusofon REST API dialect."""
