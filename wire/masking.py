"""Masking: XOR with a 4-byte key repeated, with no per-byte Python loop (RFC 6455 §5.3).

With an accelerator installed (the `accel` extra: websockets' C `apply_mask`, SSE2, some 17 GB/s here
against 0.8 GB/s), `FAST` is it, and encoding and the parser in frames.py mask through it. Without one
(wire needs nothing but the standard library), the pure path: small payloads XOR as one big integer
(the repeated key made by one multiplication), large ones translate each of the key's four strides
through a 256-byte table, in place where the caller owns the buffer. Both give the same bytes (tests).

UTF-8 needs no accelerator: CPython's codec validates in C (1.2 GB/s on mixed text, 11 GB/s on ASCII
here, where wsaccel's validator does 0.4 GB/s), so validation.py keeps it.
"""

from __future__ import annotations

from collections.abc import Callable

Mask = Callable[[bytes | bytearray | memoryview, bytes | bytearray], bytes]  # (data, 4-byte key) -> data XOR key


def _accelerator() -> Mask | None:
    try:
        from websockets.speedups import apply_mask  # optional: the `accel` extra
    except ImportError:
        return None
    return apply_mask


FAST: Mask | None = _accelerator()

XOR_TABLES = tuple(bytes(b ^ k for b in range(256)) for k in range(256))  # translate tables: x -> x ^ k

# Below this size a payload is XORed as one integer; from it on, with bytes.translate per key stride.
INT_XOR_BELOW = 1024
# Strides are translated a block of this many bytes at a time: the strided temporaries stay at 16 KiB
# (not a quarter of the payload: 4 MiB for a 16 MiB frame), as fast as whole strides on a megabyte.
BLOCK = 1 << 16
# length -> (0x00000001 repeated over it, little-endian; the mask of `length` bytes): at most
# INT_XOR_BELOW entries, some 1 MB if every length is ever seen, a few KiB in practice
REPEATS: dict[int, tuple[int, int]] = {}


def repeat_key(length: int) -> tuple[int, int]:
    entry = REPEATS.get(length)
    if entry is None:
        words = (length + 3) // 4
        entry = REPEATS[length] = (int.from_bytes(b"\x01\x00\x00\x00" * words, "little"), (1 << 8 * length) - 1)
    return entry


def xor4_small(data: bytes | bytearray, key: bytes | bytearray) -> bytes:
    """`data` (shorter than INT_XOR_BELOW) XOR a 4-byte `key` repeated: one big-integer XOR, with the
    repeated key made by one multiplication (key * 0x...0000000100000001) instead of from bytes."""
    length = len(data)
    ones, mask = repeat_key(length)
    repeated = int.from_bytes(key, "little") * ones
    if length & 3:
        repeated &= mask
    return (int.from_bytes(data, "little") ^ repeated).to_bytes(length, "little")


def xor4_into(buf: bytearray, start: int, stop: int, key: bytes | bytearray) -> None:
    """XOR buf[start:stop] in place with a 4-byte `key` repeated from `start`: per key byte, one
    bytes.translate of its stride (no per-byte Python loop), a block at a time."""
    t0, t1, t2, t3 = XOR_TABLES[key[0]], XOR_TABLES[key[1]], XOR_TABLES[key[2]], XOR_TABLES[key[3]]
    for block in range(start, stop, BLOCK):
        end = min(block + BLOCK, stop)
        buf[block:end:4] = buf[block:end:4].translate(t0)
        buf[block + 1 : end : 4] = buf[block + 1 : end : 4].translate(t1)
        buf[block + 2 : end : 4] = buf[block + 2 : end : 4].translate(t2)
        buf[block + 3 : end : 4] = buf[block + 3 : end : 4].translate(t3)


def apply_mask(data: bytes, key: bytes, offset: int = 0) -> bytes:
    """XOR `data` with `key` repeated, starting `offset` bytes into the key (no per-byte Python loop).

    With a 4-byte key (every WebSocket key): the accelerator when there is one; else small inputs XOR as
    one big integer, large ones translate each of the key's strides through a 256-byte table. Other key
    lengths take a generic path."""
    length = len(data)
    if not length:
        return b""
    n = len(key)
    start = offset % n
    rotated = key[start:] + key[:start] if start else key
    if n == 4:
        if FAST is not None:
            return FAST(data, bytes(rotated))
        if length < INT_XOR_BELOW:
            return xor4_small(data, rotated)
        out = bytearray(data)
        xor4_into(out, 0, length, rotated)
        return bytes(out)
    if length < 4096:
        repeated = rotated * (length // n + 1)
        mixed = int.from_bytes(data, "big") ^ int.from_bytes(repeated[:length], "big")
        return mixed.to_bytes(length, "big")
    out = bytearray(data)
    for i, k in enumerate(rotated):
        out[i::n] = out[i::n].translate(XOR_TABLES[k])
    return bytes(out)
