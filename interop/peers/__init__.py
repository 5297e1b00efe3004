"""Peer programs of the interop matrix: echo servers and client scenarios run as separate processes."""
