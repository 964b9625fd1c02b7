"""In-app notices and email: reminders before the deadline, and news of a returned or accepted report."""
