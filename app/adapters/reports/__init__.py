"""Report files: a report's content written as CSV, JSON, XLSX (xlsxwriter) or PDF
(reportlab) to a temporary file, the detail rows written as they are read."""
