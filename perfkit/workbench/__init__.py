"""The analyst's explorer: drills down to records, so it is never published."""
