"""Import of the programme's existing spreadsheets (CSV, XLSX): mapping, preview, confirmation."""
