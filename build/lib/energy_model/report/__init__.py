"""What a reader sees: labels (zh/en), tables, the HTML report and batch comparison, charts and Excel."""
