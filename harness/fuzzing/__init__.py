"""Clients under test: the Autobahn-compatible fuzzing server, and the `harness clients` runner."""
