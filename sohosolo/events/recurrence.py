"""Materialise the occurrences of recurring series (RFC 5545) for the coming months."""
