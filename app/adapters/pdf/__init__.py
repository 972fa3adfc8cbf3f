"""PDF documents drawn with reportlab's canvas: retirement certificates."""
