"""Carrier packages sold to mobile subscribers, confirmed by a one-time code."""
