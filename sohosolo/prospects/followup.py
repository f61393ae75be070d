"""One-year follow-up survey of installed prospects (signed link, reminder at 13 months)."""
