"""Retention: prospects without inbound contact for 3 years are asked, then anonymised (see privacy.py)."""
