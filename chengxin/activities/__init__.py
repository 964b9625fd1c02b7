"""The activity registry: what each unit ran during the campaign, under which plan activity, with its media outputs."""
