"""Building adherence reports and writing them as CSV, Excel and PDF."""
