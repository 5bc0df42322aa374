"""What members and analysts read: formatting, narrative, disclosure control, tables, charts, HTML export and the report views. Reads aggregates only; never records."""
