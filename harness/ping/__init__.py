"""`python -m harness ping`: the seed's Jetty TestClient done right, with output like ping(8).

Each client opens one WebSocket (any draft), sends --count messages paced by --delay and matches the
replies by the sender label and sequence number every message starts with (`<tag>-<client>:<seq>:`, the
tag random per run so that runs sharing a broadcast room keep their replies apart). A reply missing for
--timeout seconds is lost; Ctrl-C (or `stop`) ends the sending, the closing handshake collects the
replies still in flight, and the statistics follow. Exit status: 0 every message answered, 1 some lost
or corrupted, 2 a usage, connection or handshake error.

Modules: `options` (the command line, the Options, the numbered messages), `stats` (counting and
printing), `client` (one connection after its handshake), `command` (opening handshakes, run, main).
"""

from .command import main, run
from .options import DESCRIPTION, add_arguments

__all__ = ["DESCRIPTION", "add_arguments", "main", "run"]
