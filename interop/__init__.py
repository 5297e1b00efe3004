"""wsinterop's interop matrix: the catalogue against real WebSocket implementations, draft by draft,
and real client libraries against the reference server (`python -m interop`, docs/interop.md)."""
