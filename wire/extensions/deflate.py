"""permessage-deflate payloads (RFC 7692 §7.2): compression of what one end sends, bounded inflation of
what it receives, with or without context takeover, frame by frame.

Compression (§7.2.1): each frame's data is compressed and sync-flushed, so that every frame ends on a
block boundary; the final frame of a message drops the 0x00 0x00 0xFF 0xFF that ends the flush. When the
final frame has no data of its own, it carries the single octet 0x00 instead: an empty stored block's
header, which the receiver's appended tail completes (§7.2.3.6).

Decompression (§7.2.2): the receiver appends 0x00 0x00 0xFF 0xFF to the message and inflates, here one
frame at a time. The message size limit applies to the inflated size: inflation stops one byte past
what the message may still hold (zlib's max_length), so a decompression bomb is refused with the
too-big close code without ever being held in memory. A message that ends its stream with a BFINAL
block (§7.2.3.4) ends that stream: the next message starts a new one.

An 8-bit window: zlib refuses to build a raw deflate compressor with windowBits 8 (since zlib 1.2.9:
its "8" used to be a silent 9, madler/zlib#171), so an end whose agreed window is 8 bits compresses
with 9, as websockets does. The result still fits a 256-byte window: zlib's compressor never reaches
back further than its window size less MIN_LOOKAHEAD (262) bytes, here 512 - 262 = 250 bytes
(tests/wire/extensions/test_deflate.py checks it). Inflating with 8 bits works as it is.

Memory level: zlib's default (8: a 32K-entry hash table) suits its default 32 KiB window, but with a
small window zlib slides the window every few hundred bytes and rehashes the whole table each time: with
9 bits it compresses json at some 30 MB/s where 15 bits does 400. So unless told otherwise, a compressor
of B window bits gets memory level min(8, B - 5), a table four times its window: 9 bits then does some
125 MB/s, with output as valid as any (zlib writes deflate for any memory level; only speed and size
change). This is the reference server's echo in Autobahn's 13.3, 13.5 and 13.7, which recompress with
server_max_window_bits=9.

Kept compressions: an end that resets its context for every message (`*_no_context_takeover` on its
side) compresses each whole message with a fresh compressor, so the result depends only on the data and
zlib's parameters. Given a `Memo`, PerMessageDeflate keeps those results, keyed by the data's SHA-256, and
sends a kept one again instead of compressing the same data anew: the bytes are exactly those a new
compressor would write (tests). The caller owns the memo and its limit; none is kept unless one is given.
The harness gives one to its clients: Autobahn's 12.* and 13.* send the same corpus slices again and again
(five of the 18 sizes are the same 128 KiB slices; 13.* walks the json set seven times), and zlib at some
70 MB/s on the poorly compressible sets is their largest cost, where SHA-256 runs at over 1 GB/s.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import OrderedDict

from ..errors import RemoteProtocolError
from .negotiation import Agreement

TAIL = b"\x00\x00\xff\xff"
EMPTY_FINAL = b"\x00"  # an empty stored block's header, completed by the receiver's TAIL (§7.2.3.6)
SMALLEST_COMPRESSOR_BITS = 9  # zlib's smallest raw deflate window (see the module's notes)
TABLE_OVER_WINDOW_BITS = 5  # the default memory level's table: 2 ** (level + 7) entries, 4x the window

MemoKey = tuple[int, int, int, bytes]  # (window bits, level, memory level, SHA-256 of the data)


class Memo:
    """Whole messages compressed by a fresh compressor: key -> compressed payload (the flush's TAIL
    dropped), at most `limit` bytes of it, the least recently used dropped first."""

    __slots__ = ("_entries", "limit", "size")

    def __init__(self, limit: int) -> None:
        self._entries: OrderedDict[MemoKey, bytes] = OrderedDict()
        self.limit = limit
        self.size = 0

    def get(self, key: MemoKey) -> bytes | None:
        out = self._entries.get(key)
        if out is not None:
            self._entries.move_to_end(key)
        return out

    def put(self, key: MemoKey, out: bytes) -> None:
        if len(out) > self.limit:
            return
        self._entries[key] = out
        self.size += len(out)
        while self.size > self.limit:
            _, dropped = self._entries.popitem(last=False)
            self.size -= len(dropped)


def memory_level(bits: int) -> int:
    """zlib's memory level for a compressor of `bits` window bits: its default, or less for a small
    window, whose hash table zlib would otherwise rehash whole at every slide (module's notes)."""
    return min(zlib.DEF_MEM_LEVEL, bits - TABLE_OVER_WINDOW_BITS)


class PerMessageDeflate:
    """One end's permessage-deflate once agreed: `compress` what it sends and `decompress` what it
    receives, a frame at a time. `server` says which end this is, and with it which half of the
    Agreement applies to each direction. `level` and `mem_level` are zlib's (speed against size); with
    no `mem_level`, the one that suits the compressor's window. `memo` keeps whole messages compressed
    by a fresh compressor (see the module's notes)."""

    __slots__ = (
        "_compressor",
        "_decompressor",
        "_level",
        "_local_bits",
        "_local_reset",
        "_mem_level",
        "_memo",
        "_receiving",
        "_remote_bits",
        "_remote_reset",
        "_sending",
        "agreement",
        "too_big_code",
    )

    def __init__(
        self,
        agreement: Agreement,
        *,
        server: bool,
        level: int = zlib.Z_DEFAULT_COMPRESSION,
        mem_level: int | None = None,
        too_big_code: int | None = 1009,
        memo: Memo | None = None,
    ) -> None:
        self.agreement = agreement
        self.too_big_code = too_big_code
        a = agreement
        local = (a.server_no_context_takeover, a.server_max_window_bits)
        remote = (a.client_no_context_takeover, a.client_max_window_bits)
        if not server:
            local, remote = remote, local
        self._local_reset, bits = local
        self._local_bits = max(bits, SMALLEST_COMPRESSOR_BITS)
        self._remote_reset, self._remote_bits = remote
        self._level = level
        if mem_level is None:
            mem_level = memory_level(self._local_bits)
        self._mem_level = mem_level
        self._memo = memo
        self._compressor: zlib._Compress | None = None
        self._decompressor: zlib._Decompress | None = None
        self._sending = False  # a message is being compressed (its final frame not yet)
        self._receiving = False

    # --- sending -----------------------------------------------------------------------------------

    def compress(self, data: bytes, *, fin: bool = True) -> bytes:
        """The payload of the next frame of the message being sent: `data` compressed, sync-flushed,
        without the flush's tail on the final frame (`fin`). A whole message is one call."""
        memo, key = self._memo, None
        if memo is not None and fin and self._local_reset and not self._sending:  # whole, by a fresh compressor
            key = (self._local_bits, self._level, self._mem_level, hashlib.sha256(data).digest())
            kept = memo.get(key)
            if kept is not None:
                return kept
        compressor = self._compressor
        if not self._sending and (compressor is None or self._local_reset):
            compressor = self._compressor = zlib.compressobj(
                self._level, zlib.DEFLATED, -self._local_bits, self._mem_level
            )
        assert compressor is not None
        self._sending = not fin
        out = compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)
        if not fin:
            return out
        # a sync flush always ends with an empty stored block: its header (at least one octet) + TAIL
        assert out.endswith(TAIL), out[-8:]
        out = out[:-4]
        if memo is not None and key is not None:
            memo.put(key, out)
        return out

    # --- receiving ---------------------------------------------------------------------------------

    def decompress(self, data: bytes, *, fin: bool, limit: int) -> bytes:
        """Inflate one frame's payload of a compressed message; `limit` is how many more bytes the message
        may hold. RemoteProtocolError: past the limit (too_big_code), or data that does not inflate
        (1002, a protocol error: the extension's framing is broken, not the message's type)."""
        decompressor = self._decompressor
        if not self._receiving and (decompressor is None or self._remote_reset or decompressor.eof):
            decompressor = self._decompressor = zlib.decompressobj(-self._remote_bits)
        assert decompressor is not None
        self._receiving = not fin
        try:
            out = decompressor.decompress(data, limit + 1)
            if fin and len(out) <= limit:
                out += decompressor.decompress(TAIL, limit + 1 - len(out))
        except zlib.error as exc:
            raise RemoteProtocolError(f"compressed data does not inflate: {exc}") from exc
        if len(out) > limit:
            raise RemoteProtocolError("compressed message inflates past the message size limit", self.too_big_code)
        return out
