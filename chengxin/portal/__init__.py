"""Public pages (no login): the campaign page per year with its published national totals."""
