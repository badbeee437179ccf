"""Checkpoint blobs: the whole emulated machine at one step, and its identity hash.

A blob is zlib(level 1) of: 4-byte header length, a JSON header (Machine.snapshot(),
page permissions and gate promotions, which pages are stored, the emulated kernel's
mutable fields), then the contents of every page that is not all zeros, in header
order. JSON and raw bytes only: opening a trace never unpickles anything.
"""

from __future__ import annotations

import json
import zlib

from oopsy.emu.memory import PAGE_SIZE
from oopsy.errors import OopsyError

_ZERO_PAGE = bytes(PAGE_SIZE)
_KERNEL_FIELDS = ("die_counter", "brk_start", "brk", "mmap_next")


def capture(emu) -> bytes:
    """Serialize machine, memory and emulated-kernel state of `emu`."""
    m, mem, k = emu.machine, emu.machine.mem, emu.kernel
    stored = [pn for pn, page in mem.pages.items() if page != _ZERO_PAGE]
    header = {
        "machine": m.snapshot(),
        "perms": [[pn, perm, pl] for pn, (perm, pl) in mem.perms.items()],
        "promote": [[pn, p] for pn, p in mem.promote.items()],
        "stored": stored,
        "kernel": {f: getattr(k, f) for f in _KERNEL_FIELDS},
        "console": bytes(k.console).decode("latin-1"),
        "stack_limits": list(k.stack_limits),
    }
    head = json.dumps(header, separators=(",", ":")).encode()
    parts = [len(head).to_bytes(4, "little"), head]
    parts += [bytes(mem.pages[pn]) for pn in stored]
    return zlib.compress(b"".join(parts), 1)


def restore(emu, blob: bytes, source: str = "trace") -> None:
    """Put `emu` back into the state `capture` saw (hooks and translations are kept)."""
    try:
        raw = zlib.decompress(blob)
        size = int.from_bytes(raw[:4], "little")
        header = json.loads(raw[4 : 4 + size])
    except (zlib.error, ValueError) as exc:
        raise OopsyError(f"corrupt checkpoint: {exc}", source=source) from None
    m, mem, k = emu.machine, emu.machine.mem, emu.kernel
    pages = {}
    pos = 4 + size
    for pn in header["stored"]:
        pages[pn] = raw[pos : pos + PAGE_SIZE]
        pos += PAGE_SIZE
    perms = {pn: (perm, pl) for pn, perm, pl in header["perms"]}
    mem.restore({
        "pages": {pn: pages.get(pn, _ZERO_PAGE) for pn in perms},
        "perms": perms,
        "promote": {pn: p for pn, p in header["promote"]},
    })
    m.restore(header["machine"])
    for f in _KERNEL_FIELDS:
        setattr(k, f, header["kernel"][f])
    k.console[:] = header["console"].encode("latin-1")
    k.stack_limits = tuple(header["stack_limits"])
