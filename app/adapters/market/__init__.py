"""Live marketplace feeds: in process, or through Redis pub/sub across processes."""
