"""What the campaign layer tells the layers above it, which it does not import."""

from django.dispatch import Signal

# A unit was given its own deadline and/or lock date: participant, deadline, lock_date (None = the campaign's),
# reason, acting_user. Sent inside the granting transaction.
exception_granted = Signal()

# A campaign was published (筹备中 → 已发布): campaign, acting_user. Sent after the publishing commits, so that the
# notices to the expected units (notifications listens) are made from what was saved.
campaign_published = Signal()
