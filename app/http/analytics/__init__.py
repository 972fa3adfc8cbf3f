"""Analytics over HTTP: the dashboards' JSON, their export, and the pages."""
