"""What the campaign layer tells the layers above it, which it does not import."""

from django.dispatch import Signal

# A unit was given its own deadline and/or lock date: participant, deadline, lock_date (None = the campaign's),
# reason, acting_user. Sent inside the granting transaction.
exception_granted = Signal()
