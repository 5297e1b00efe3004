"""What a web page can express: a case that needs more (a raw frame, a ping, a handshake override, a draft
other than RFC 6455) is UNIMPLEMENTED for a browser agent, with the reason this module gives."""

from __future__ import annotations

from wire import Draft

from ...cases.model import (
    BeginFrame,
    Case,
    Chat,
    FrameData,
    Handshake,
    Mark,
    Pause,
    Repeat,
    SendClose,
    SendFrame,
    SendMessage,
    SendPing,
    SendRaw,
    Step,
    Wait,
    Write,
    walk,
)


def unsupported_in_page(
    case: Case, draft: Draft, page: str = "agent", title: str = "A browser", maps_names: bool = True
) -> str | None:
    """Why a page of the browser `title` cannot express `case` in `draft`, or None. `maps_names`: the browser
    can be told to resolve a test name to loopback, which the mixed-content case needs."""
    if draft is not Draft.RFC6455:
        return f"{title} speaks only RFC 6455"
    if case.handshake.tls == "mixed-content" and not maps_names:
        return (
            f"{title} cannot be told to resolve a test host name to loopback: a ws:// URL it did not refuse "
            "would reach no server, so a refusal would prove nothing"
        )
    if page == "chat":
        if any(not isinstance(step, Chat | Wait) for step in walk(case.steps)):
            return "the chat room page only joins, says, leaves and waits"
        return None
    h = case.handshake
    if (h.headers, h.extra_headers, h.method, h.http_version, h.key3, h.extensions, h.origin) != (
        (),
        (),
        "GET",
        "HTTP/1.1",
        None,
        (),
        Handshake().origin,
    ):
        return "a page cannot change the opening handshake"
    if h.path is not None and not h.path.startswith("/"):
        return "a page can only open a URL whose path starts with /"
    if case.expect_handshake.status != (101,):
        return "a page cannot see the status of a refused handshake"
    if case.expect_handshake.headers:
        return "a page cannot see the headers of the handshake answer"
    if case.expect_handshake.deflate is not False:
        return "the browser agents do not record the extensions the server accepted"
    for step in walk(case.steps):
        reason = _step_unsupported(step)
        if reason:
            return reason
    for expected in (case.ok or ()) + (case.non_strict or ()) + (case.informational or ()):
        if expected.type == "mark":
            return "a page does not record marks"
        if expected.type != "message":
            return "a page cannot see pings or pongs"
        if expected.fragments is not None:
            return "a page cannot see how a message was fragmented"
    return None


def _step_unsupported(step: Step) -> str | None:
    if isinstance(step, SendMessage):
        if step.fragment_size or step.chop or step.sync:  # (an empty final frame needs fragments)
            return "a page cannot choose fragmentation or TCP writes"
        if step.payload.kind == "corpus":
            return "a page does not walk the data sets of the compression cases"
        if step.kind == "text" and not _is_utf8(step.payload.to_bytes()):
            return "a page can only send text that is valid UTF-8"
        return None
    if isinstance(step, SendClose):
        if step.raw is not None:
            return "a page cannot send a raw close payload"
        if step.mask_key is not None or step.chop or step.sync:
            return "a page cannot choose a mask key or TCP writes"
        if step.code is not None and step.code != 1000 and not 3000 <= step.code <= 4999:
            return f"a page may close only with 1000 or 3000-4999, not {step.code}"
        if not _is_utf8(step.reason.to_bytes()):
            return "a page can only give a close reason that is valid UTF-8"
        if len(step.reason.to_bytes()) > 123:
            return "a page may give a close reason of at most 123 bytes"
        return None
    if isinstance(step, Wait):
        return "a page cannot see pings or pongs" if step.for_ in ("ping", "pong") else None
    if isinstance(step, Repeat | Write | Pause):  # a write group is only a wish about TCP writes
        return None
    if isinstance(step, Mark):
        return "a page does not record marks"
    if isinstance(step, Chat):
        return "chat steps need a chat page actor"
    if isinstance(step, SendFrame | BeginFrame | FrameData):
        return "a page cannot send a frame of its own making, only whole messages"
    if isinstance(step, SendRaw):
        return "a page cannot send raw bytes"
    return f"a page cannot send {'pings' if isinstance(step, SendPing) else 'pongs'}"


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
