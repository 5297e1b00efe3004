"""Peer programs of the interop matrix: the echo servers, each run as a separate process."""
