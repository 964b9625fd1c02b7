"""What the reporting layer tells the layers above it (notifications), which it does not import."""

from django.dispatch import Signal

# A report was returned or accepted and the change is committed: report, outcome ("returned" | "accepted").
# Sent from transaction.on_commit.
report_reviewed = Signal()
