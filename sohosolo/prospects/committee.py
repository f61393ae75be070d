"""What village committees see of prospects and do with them (see rules.py for who)."""


def committees_notify_new_prospect(*, prospect, villages) -> None:
    """Email the committees of ``villages`` that a prospect who consented to share chose their village.

    Called by the intake (project form) and when a prospect adds villages in "Mon espace"; does
    nothing when the prospect has not consented to share. Emails go through the outbox.
    """
    # Implemented by the committee part of the prospects work.
    return None
