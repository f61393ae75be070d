"""Open the passport when a prospect becomes a candidate; revoke it when lost or anonymised."""
