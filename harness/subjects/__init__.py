"""Clients under test ("subjects"): programs that follow Autobahn's testee contract, by name.

A testee connects to `<url>/getCaseCount`, then to `<url>/runCase?case=N&agent=NAME` for each case N,
echoing every text and binary message with the same type and answering closes, then to
`<url>/updateReports?agent=NAME`. `harness clients` starts the fuzzing server and runs each subject's
testee against it; `REGISTRY` is the one list of subjects the command line, the runner and the docs read.
"""

from __future__ import annotations

from .browsers import BROWSERS
from .libraries import LIBRARIES
from .subject import Subject
from .wire import WIRE

REGISTRY: dict[str, Subject] = {subject.name: subject for subject in (WIRE, *LIBRARIES, *BROWSERS)}

__all__ = ["REGISTRY", "Subject"]
