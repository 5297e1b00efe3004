"""The opening handshake read a chunk at a time, for both sides and every draft (sans-I/O).

`ServerOpening` reads a request head (bounded in size, line length and header count, as http.py parses
it) and, for a hixie-76 upgrade, the 8 key3 bytes after it; `ClientOpening` reads the response head and
hixie-76's 16-byte answer, and judges them with the ClientHandshake. Each returns one event when it is
done, and keeps the bytes that came after the handshake (`rest`): the first bytes of the framing.
A Connection drives them while it is CONNECTING; they know nothing of frames.
"""

from __future__ import annotations

import abc

from .drafts import Draft
from .errors import HandshakeError, HttpError
from .events import HandshakeAccepted, HandshakeEvent, HandshakeInvalid, HandshakeRejected, HandshakeRequest
from .handshake import KEY3_SIZE, ClientHandshake, detect_draft, is_upgrade, offered_protocols
from .http import MAX_HEAD, HeadReader, Request, Response, parse_request, parse_response


class _Opening(abc.ABC):
    """What both sides share: a bounded head, then bytes that belong to the handshake's end or after it."""

    __slots__ = ("_head", "_reader", "rest")

    def __init__(self, max_head: int = MAX_HEAD) -> None:
        self._reader: HeadReader | None = HeadReader(max_head)
        self._head = b""
        self.rest = b""  # bytes after the head (and what ends the handshake): not the handshake's

    @property
    def head_read(self) -> bool:
        return self._reader is None

    def feed(self, data: bytes) -> HandshakeEvent | None:
        reader = self._reader
        if reader is None:  # the head came: the handshake's last bytes (key3, the answer) may be pending
            self.rest += data
            return self._pending()
        try:
            parts = reader.feed(data)
        except HttpError as exc:
            self._reader = None
            return self._invalid(exc)
        if parts is None:
            return None
        self._head, self.rest = parts
        self._reader = None
        return self._headed()

    @abc.abstractmethod
    def _headed(self) -> HandshakeEvent | None:
        """The head is complete (in `_head`): parse it; the event, or None while more must come."""

    @abc.abstractmethod
    def _pending(self) -> HandshakeEvent | None:
        """More bytes came after the head: the event, once the handshake is complete."""

    @abc.abstractmethod
    def _invalid(self, exc: HttpError) -> HandshakeInvalid:
        """The event for a head that is not HTTP or breaks a limit."""


class ServerOpening(_Opening):
    """The server's side: the client's request head, then hixie-76's key3; a HandshakeRequest, or a
    HandshakeInvalid (with the status to answer) for a head that is not HTTP or breaks a limit."""

    __slots__ = ("_request",)

    def __init__(self, max_head: int = MAX_HEAD) -> None:
        super().__init__(max_head)
        self._request: Request | None = None  # parsed, its key3 pending

    def _headed(self) -> HandshakeEvent | None:
        try:
            self._request = parse_request(self._head)
        except HttpError as exc:
            return self._invalid(exc)
        return self._pending()

    def _invalid(self, exc: HttpError) -> HandshakeInvalid:
        return HandshakeInvalid(exc.reason, head=self._head or None, status=exc.status)

    def _pending(self) -> HandshakeRequest | None:
        request = self._request
        if request is None:  # the event went out already: keep what follows
            return None
        detected = detect_draft(request)
        draft = detected if isinstance(detected, Draft) else None
        size = KEY3_SIZE if draft is Draft.HIXIE_76 and is_upgrade(request) else 0
        if len(self.rest) < size:
            return None
        key3, self.rest = self.rest[:size], self.rest[size:]
        self._request = None
        protocols = tuple(offered_protocols(request, draft)) if draft is not None else ()
        return HandshakeRequest(request, self._head, key3, draft, protocols)


class ClientOpening(_Opening):
    """The client's side: the response head, then hixie-76's answer, judged by `handshake.check`."""

    __slots__ = ("_response", "handshake")

    def __init__(self, handshake: ClientHandshake) -> None:
        super().__init__()
        self.handshake = handshake
        self._response: Response | None = None  # a 101 whose answer bytes are pending

    def _headed(self) -> HandshakeEvent | None:
        try:
            response = parse_response(self._head)
        except HttpError as exc:
            return self._invalid(exc)
        if response.status != 101:
            body, self.rest = self.rest, b""
            return HandshakeRejected(response, self._head, body)
        self._response = response
        return self._pending()

    def _invalid(self, exc: HttpError) -> HandshakeInvalid:
        return HandshakeInvalid(exc.reason, head=self._head or None)

    def _pending(self) -> HandshakeEvent | None:
        return self._judge(final=False) if self._response is not None else None

    def end(self) -> HandshakeEvent | None:
        """The transport ended: a 101 whose answer was cut short is judged as it is; else nothing."""
        return self._judge(final=True) if self._response is not None else None

    def _judge(self, *, final: bool) -> HandshakeEvent | None:
        response = self._response
        assert response is not None
        size = self.handshake.answer_size
        if len(self.rest) < size and not final:
            return None
        answer, self.rest = self.rest[:size], self.rest[size:]
        self._response = None
        try:
            accepted = self.handshake.check(response, answer)
        except HandshakeError as exc:
            return HandshakeInvalid(exc.reason, head=self._head, response=response)
        return HandshakeAccepted(response, accepted, self._head, answer)
