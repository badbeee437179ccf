"""Guest memory: sparse 16 KiB pages with permissions, eight regions, little-endian.

Translation is identity (psr.dt/it/rt change nothing), so a guest virtual address is
the key: page number = address >> 14. Each page has rwx permission bits and a privilege
level `pl`: code running at cpl may touch the page only if cpl <= pl (pl 0 = kernel only,
pl 3 = everyone). The region number is the top three address bits (region 7 is Linux's
identity-mapped kernel, region 5 vmalloc/kernel text, regions 0-4 user).

Speed: for each cpl there are three dicts page-number -> bytearray (readable, writable,
executable); `set_privilege` swaps the active three, so an access is one dict lookup, a
bounds test and int.from_bytes. Anything else (unmapped page, wrong permission, a
misaligned or page-crossing access) goes to the slow path, which raises a `GuestFault`
with cr.ifa and cr.isr as the architecture collects them (facts §5: r/w/x/na bits; the
executor adds ei with `GuestFault.at_slot`).

Every write can be observed: `write_hook(addr, size, value, kind)` is called when set,
with kind one of cpu, rse_spill, rse_fill, kernel, loader. `read_hook` likewise for the
reads the RSE makes (kind rse_fill) and reads made through `read_traced`.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable

from oopsy.emu.faults import ISR_NA, ISR_R, ISR_RS, ISR_W, ISR_X, GuestFault
from oopsy.errors import OopsyError

PAGE_SHIFT = 14
PAGE_SIZE = 1 << PAGE_SHIFT
PAGE_MASK = PAGE_SIZE - 1

PERM_R = 1
PERM_W = 2
PERM_X = 4
PERM_RW = PERM_R | PERM_W
PERM_RX = PERM_R | PERM_X
PERM_RWX = PERM_R | PERM_W | PERM_X

WRITE_KINDS = ("cpu", "rse_spill", "rse_fill", "kernel", "loader")

WriteHook = Callable[[int, int, int, str], None]

_ADDR_MASK = (1 << 64) - 1
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_get16, _put16 = _U16.unpack_from, _U16.pack_into
_get32, _put32 = _U32.unpack_from, _U32.pack_into
_get64, _put64 = _U64.unpack_from, _U64.pack_into


def region_of(addr: int) -> int:
    """Region number: the top three bits of a 64-bit address."""
    return (addr >> 61) & 7


def perm_text(perm: int) -> str:
    return "".join(c if perm & bit else "-" for c, bit in (("r", PERM_R), ("w", PERM_W), ("x", PERM_X)))


class Memory:
    """Sparse paged guest memory. See the module docstring."""

    def __init__(self) -> None:
        self.pages: dict[int, bytearray] = {}
        self.perms: dict[int, tuple[int, int]] = {}  # page number -> (perm, pl)
        self.promote: dict[int, int] = {}  # gate pages: page number -> privilege epc grants
        # lazily mapped ranges [first page, last page, perm, pl]: a page comes into being
        # (zero-filled) at its first access, so large anonymous maps cost nothing up front
        self.reserved: list[list[int]] = []
        # views[cpl] = (readable, writable, executable)
        self._views: list[tuple[dict, dict, dict]] = [({}, {}, {}) for _ in range(4)]
        self.cpl = 0
        self.readable, self.writable, self.executable = self._views[0]
        self.write_hook: WriteHook | None = None
        self.read_hook: WriteHook | None = None

    # -- mapping --------------------------------------------------------------------
    def map(self, addr: int, size: int, perm: int, pl: int = 3, lazy: bool = False) -> None:
        """Map [addr, addr+size) page by page (zero-filled where new) with `perm` and `pl`.
        With `lazy`, pages not yet present are only reserved and appear on first access."""
        if size <= 0:
            return
        first = addr >> PAGE_SHIFT
        last = (addr + size - 1) >> PAGE_SHIFT
        if lazy:
            self._cut_reserved(first, last)
            self.reserved.append([first, last, perm, pl])
            for pn in [p for p in self.pages if first <= p <= last]:
                self._set_perm(pn, perm, pl)
            return
        for pn in range(first, last + 1):
            if pn not in self.pages:
                self.pages[pn] = bytearray(PAGE_SIZE)
            self._set_perm(pn, perm, pl)

    def map_gate(self, addr: int, size: int, promote_to: int = 0) -> None:
        """Map an execute-only promotion page (Linux's gate page, TLB access rights 7):
        executable at every privilege, and `epc` there raises cpl to `promote_to`."""
        self.map(addr, size, PERM_X, pl=3)
        for pn in range(addr >> PAGE_SHIFT, ((addr + size - 1) >> PAGE_SHIFT) + 1):
            self.promote[pn] = promote_to

    def epc_privilege(self, ip: int) -> int | None:
        """The privilege `epc` at `ip` promotes to, or None if its page is not a gate
        page (then epc only keeps cpl; facts §3.3)."""
        return self.promote.get(ip >> PAGE_SHIFT)

    def protect(self, addr: int, size: int, perm: int, pl: int = 3) -> None:
        """Change permissions of mapped (or reserved) pages in [addr, addr+size)."""
        first = addr >> PAGE_SHIFT
        last = (addr + size - 1) >> PAGE_SHIFT
        pieces = self._cut_reserved(first, last)
        for pn in range(first, last + 1):
            if pn in self.pages:
                self._set_perm(pn, perm, pl)
            elif not any(a <= pn <= b for a, b, _, _ in pieces):
                raise OopsyError(f"protect: page at {pn << PAGE_SHIFT:#x} is not mapped")
        for a, b, _, _ in pieces:
            self.reserved.append([a, b, perm, pl])

    def unmap(self, addr: int, size: int) -> None:
        first = addr >> PAGE_SHIFT
        last = (addr + size - 1) >> PAGE_SHIFT
        self._cut_reserved(first, last)
        for pn in [p for p in self.pages if first <= p <= last]:
            self.pages.pop(pn, None)
            self.perms.pop(pn, None)
            self.promote.pop(pn, None)
            for view in self._views:
                for table in view:
                    table.pop(pn, None)

    def _set_perm(self, pn: int, perm: int, pl: int) -> None:
        self.perms[pn] = (perm, pl)
        page = self.pages[pn]
        for cpl, (readable, writable, executable) in enumerate(self._views):
            allowed = cpl <= pl
            for table, bit in ((readable, PERM_R), (writable, PERM_W), (executable, PERM_X)):
                if allowed and perm & bit:
                    table[pn] = page
                else:
                    table.pop(pn, None)

    def is_mapped(self, addr: int) -> bool:
        pn = addr >> PAGE_SHIFT
        return pn in self.pages or any(a <= pn <= b for a, b, _, _ in self.reserved)

    def _materialize(self, pn: int) -> bool:
        """Bring a reserved (lazy) page into being; False if it is not reserved or exists."""
        if pn in self.pages:
            return False
        for first, last, perm, pl in self.reserved:
            if first <= pn <= last:
                self.pages[pn] = bytearray(PAGE_SIZE)
                self._set_perm(pn, perm, pl)
                return True
        return False

    def _cut_reserved(self, first: int, last: int) -> list[list[int]]:
        """Remove pages first..last from the reserved ranges; return the removed pieces."""
        kept, removed = [], []
        for a, b, perm, pl in self.reserved:
            if b < first or a > last:
                kept.append([a, b, perm, pl])
                continue
            if a < first:
                kept.append([a, first - 1, perm, pl])
            if b > last:
                kept.append([last + 1, b, perm, pl])
            removed.append([max(a, first), min(b, last), perm, pl])
        self.reserved = kept
        return removed

    def set_privilege(self, cpl: int) -> None:
        """Make accesses check permissions for privilege level `cpl` (psr.cpl)."""
        self.cpl = cpl
        self.readable, self.writable, self.executable = self._views[cpl]

    # -- fast accessors -------------------------------------------------------------
    def read1(self, addr: int) -> int:
        page = self.readable.get(addr >> PAGE_SHIFT)
        if page is None:
            return self._read_slow(addr, 1)
        return page[addr & PAGE_MASK]

    def read2(self, addr: int) -> int:
        page = self.readable.get(addr >> PAGE_SHIFT)
        if page is None or addr & 1:
            return self._read_slow(addr, 2)
        return _get16(page, addr & PAGE_MASK)[0]

    def read4(self, addr: int) -> int:
        page = self.readable.get(addr >> PAGE_SHIFT)
        if page is None or addr & 3:
            return self._read_slow(addr, 4)
        return _get32(page, addr & PAGE_MASK)[0]

    def read8(self, addr: int) -> int:
        page = self.readable.get(addr >> PAGE_SHIFT)
        if page is None or addr & 7:
            return self._read_slow(addr, 8)
        return _get64(page, addr & PAGE_MASK)[0]

    def read16(self, addr: int) -> int:
        page = self.readable.get(addr >> PAGE_SHIFT)
        if page is None or addr & 15:
            return self._read_slow(addr, 16)
        off = addr & PAGE_MASK
        return int.from_bytes(page[off : off + 16], "little")

    def read(self, addr: int, size: int) -> int:
        """Little-endian read of 1, 2, 4, 8 or 16 bytes at the current privilege."""
        page = self.readable.get(addr >> PAGE_SHIFT)
        if page is None or addr & (size - 1):
            return self._read_slow(addr, size)
        off = addr & PAGE_MASK
        return int.from_bytes(page[off : off + size], "little")

    def write1(self, addr: int, value: int, kind: str = "cpu") -> None:
        page = self.writable.get(addr >> PAGE_SHIFT)
        if page is None:
            return self._write_slow(addr, 1, value, kind)
        page[addr & PAGE_MASK] = value & 0xFF
        if self.write_hook is not None:
            self.write_hook(addr, 1, value & 0xFF, kind)

    def write8(self, addr: int, value: int, kind: str = "cpu") -> None:
        page = self.writable.get(addr >> PAGE_SHIFT)
        if page is None or addr & 7:
            return self._write_slow(addr, 8, value, kind)
        value &= _ADDR_MASK
        _put64(page, addr & PAGE_MASK, value)
        if self.write_hook is not None:
            self.write_hook(addr, 8, value, kind)

    def write(self, addr: int, size: int, value: int, kind: str = "cpu") -> None:
        """Little-endian write of 1, 2, 4, 8 or 16 bytes at the current privilege."""
        page = self.writable.get(addr >> PAGE_SHIFT)
        if page is None or addr & (size - 1):
            return self._write_slow(addr, size, value, kind)
        off = addr & PAGE_MASK
        value &= (1 << (8 * size)) - 1
        page[off : off + size] = value.to_bytes(size, "little")
        if self.write_hook is not None:
            self.write_hook(addr, size, value, kind)

    def write2(self, addr: int, value: int, kind: str = "cpu") -> None:
        page = self.writable.get(addr >> PAGE_SHIFT)
        if page is None or addr & 1:
            return self._write_slow(addr, 2, value, kind)
        value &= 0xFFFF
        _put16(page, addr & PAGE_MASK, value)
        if self.write_hook is not None:
            self.write_hook(addr, 2, value, kind)

    def write4(self, addr: int, value: int, kind: str = "cpu") -> None:
        page = self.writable.get(addr >> PAGE_SHIFT)
        if page is None or addr & 3:
            return self._write_slow(addr, 4, value, kind)
        value &= 0xFFFFFFFF
        _put32(page, addr & PAGE_MASK, value)
        if self.write_hook is not None:
            self.write_hook(addr, 4, value, kind)

    def write16(self, addr: int, value: int, kind: str = "cpu") -> None:
        self.write(addr, 16, value, kind)

    def fetch(self, addr: int) -> bytes:
        """The 16-byte bundle at `addr` (16-aligned) for execution at the current privilege."""
        page = self.executable.get(addr >> PAGE_SHIFT)
        if page is None:
            if self._materialize(addr >> PAGE_SHIFT):
                return self.fetch(addr)
            self._fault_fetch(addr)
        off = addr & PAGE_MASK
        return bytes(page[off : off + 16])

    # -- RSE accesses (mandatory spills and fills) ----------------------------------
    def rse_read8(self, addr: int, pl: int) -> int:
        """A mandatory RSE fill at privilege `pl` (ar.rsc.pl): faults carry ISR.rs;
        reported to read_hook as kind rse_fill."""
        readable = self._views[pl][0]
        page = readable.get(addr >> PAGE_SHIFT)
        if page is None:
            if self._materialize(addr >> PAGE_SHIFT):
                return self.rse_read8(addr, pl)
            raise self._access_fault(addr, ISR_R | ISR_RS, readable, "RSE fill")
        value = _get64(page, addr & PAGE_MASK)[0]
        if self.read_hook is not None:
            self.read_hook(addr, 8, value, "rse_fill")
        return value

    def rse_write8(self, addr: int, value: int, pl: int) -> None:
        """A mandatory RSE spill at privilege `pl` (ar.rsc.pl): kind rse_spill, faults
        carry ISR.rs."""
        writable = self._views[pl][1]
        page = writable.get(addr >> PAGE_SHIFT)
        if page is None:
            if self._materialize(addr >> PAGE_SHIFT):
                return self.rse_write8(addr, value, pl)
            raise self._access_fault(addr, ISR_W | ISR_RS, writable, "RSE spill")
        _put64(page, addr & PAGE_MASK, value)
        if self.write_hook is not None:
            self.write_hook(addr, 8, value, "rse_spill")

    def read_traced(self, addr: int, size: int, kind: str = "cpu") -> int:
        """`read`, reported to read_hook (for recorders that want reads)."""
        value = self.read(addr, size)
        if self.read_hook is not None:
            self.read_hook(addr, size, value, kind)
        return value

    # -- bulk and unchecked access (loader, kernel emulation, debuggers) ------------
    def load_bytes(self, addr: int, data: bytes, kind: str = "loader") -> None:
        """Copy `data` into mapped pages ignoring permissions (the loader, the kernel)."""
        pos = 0
        while pos < len(data):
            cur = addr + pos
            page = self.pages.get(cur >> PAGE_SHIFT)
            if page is None and self._materialize(cur >> PAGE_SHIFT):
                page = self.pages[cur >> PAGE_SHIFT]
            if page is None:
                raise OopsyError(f"load at {cur:#x}: page not mapped")
            off = cur & PAGE_MASK
            chunk = min(PAGE_SIZE - off, len(data) - pos)
            page[off : off + chunk] = data[pos : pos + chunk]
            pos += chunk
        if self.write_hook is not None and data:
            for i in range(0, len(data), 8):
                piece = data[i : i + 8]
                self.write_hook(addr + i, len(piece), int.from_bytes(piece, "little"), kind)

    def peek(self, addr: int, size: int) -> bytes | None:
        """Bytes at `addr` ignoring permissions, or None if any page is unmapped."""
        out = bytearray()
        pos = 0
        while pos < size:
            cur = addr + pos
            page = self.pages.get(cur >> PAGE_SHIFT)
            if page is None and self._materialize(cur >> PAGE_SHIFT):
                page = self.pages[cur >> PAGE_SHIFT]
            if page is None:
                return None
            off = cur & PAGE_MASK
            chunk = min(PAGE_SIZE - off, size - pos)
            out += page[off : off + chunk]
            pos += chunk
        return bytes(out)

    def peek8(self, addr: int) -> int | None:
        data = self.peek(addr, 8)
        return None if data is None else int.from_bytes(data, "little")

    def read_bytes(self, addr: int, size: int) -> bytes:
        """Bytes at `addr` checked for read permission at the current privilege."""
        out = bytearray()
        pos = 0
        while pos < size:
            cur = addr + pos
            page = self.readable.get(cur >> PAGE_SHIFT)
            if page is None and self._materialize(cur >> PAGE_SHIFT):
                page = self.readable.get(cur >> PAGE_SHIFT)
            if page is None:
                raise self._access_fault(cur, ISR_R, self.readable, "read")
            off = cur & PAGE_MASK
            chunk = min(PAGE_SIZE - off, size - pos)
            out += page[off : off + chunk]
            pos += chunk
        return bytes(out)

    def write_bytes(self, addr: int, data: bytes, kind: str = "kernel") -> None:
        """Copy `data` to `addr` checked for write permission at the current privilege
        (a syscall filling a user buffer); the whole range is checked before any byte
        changes. One hook call per 8-byte piece."""
        pages = []
        pos = 0
        while pos < len(data):
            cur = addr + pos
            page = self.writable.get(cur >> PAGE_SHIFT)
            if page is None and self._materialize(cur >> PAGE_SHIFT):
                page = self.writable.get(cur >> PAGE_SHIFT)
            if page is None:
                raise self._access_fault(cur, ISR_W, self.writable, "write")
            off = cur & PAGE_MASK
            chunk = min(PAGE_SIZE - off, len(data) - pos)
            pages.append((page, off, pos, chunk))
            pos += chunk
        for page, off, pos, chunk in pages:
            page[off : off + chunk] = data[pos : pos + chunk]
        if self.write_hook is not None:
            for i in range(0, len(data), 8):
                piece = data[i : i + 8]
                self.write_hook(addr + i, len(piece), int.from_bytes(piece, "little"), kind)

    # -- slow paths -----------------------------------------------------------------
    def _read_slow(self, addr: int, size: int) -> int:
        if self._materialize(addr >> PAGE_SHIFT):
            return self.read(addr, size)
        if (addr >> PAGE_SHIFT) not in self.readable:
            raise self._access_fault(addr, ISR_R, self.readable, "read")
        raise GuestFault(
            "unaligned_reference", ifa=addr, isr=ISR_R, detail=f"misaligned {size}-byte read at {addr:#x}"
        )

    def _write_slow(self, addr: int, size: int, value: int, kind: str) -> None:
        if self._materialize(addr >> PAGE_SHIFT):
            return self.write(addr, size, value, kind)
        if (addr >> PAGE_SHIFT) not in self.writable:
            raise self._access_fault(addr, ISR_W, self.writable, "write")
        raise GuestFault(
            "unaligned_reference", ifa=addr, isr=ISR_W, detail=f"misaligned {size}-byte write at {addr:#x}"
        )

    def _fault_fetch(self, addr: int) -> None:
        pn = addr >> PAGE_SHIFT
        if pn not in self.pages:
            raise GuestFault("instruction_tlb", ifa=addr, isr=ISR_X, detail=f"fetch from unmapped {addr:#x}")
        raise GuestFault(
            "instruction_access_rights", ifa=addr, isr=ISR_X, detail=self._denied_text(addr, "execute")
        )

    def _access_fault(self, addr: int, isr: int, table: dict, what: str) -> GuestFault:
        if (addr >> PAGE_SHIFT) not in self.pages:
            return GuestFault("data_tlb", ifa=addr, isr=isr, detail=f"{what} of unmapped {addr:#x}")
        return GuestFault("data_access_rights", ifa=addr, isr=isr, detail=self._denied_text(addr, what))

    def _denied_text(self, addr: int, what: str) -> str:
        perm, pl = self.perms[addr >> PAGE_SHIFT]
        return f"{what} at {addr:#x} denied: page {perm_text(perm)} pl{pl}, cpl {self.cpl}"

    def probe_fault(self, addr: int, write: bool) -> GuestFault | None:
        """The fault a non-access probe (probe/fc/lfetch.fault) of `addr` raises, if any."""
        table = self.writable if write else self.readable
        self._materialize(addr >> PAGE_SHIFT)
        if (addr >> PAGE_SHIFT) in table:
            return None
        return self._access_fault(addr, ISR_NA | (ISR_W if write else ISR_R), table, "probe")

    # -- checkpoints ------------------------------------------------------------------
    def snapshot(self) -> dict:
        """A copy of every page, its permissions and gate promotions."""
        return {
            "pages": {pn: bytes(page) for pn, page in self.pages.items()},
            "perms": dict(self.perms),
            "promote": dict(self.promote),
            "reserved": [list(r) for r in self.reserved],
        }

    def restore(self, snap: dict) -> None:
        """Return to a `snapshot` (page objects are rebuilt; hooks and cpl are kept)."""
        self.pages = {}
        self.perms = {}
        self.promote = dict(snap["promote"])
        self.reserved = [list(r) for r in snap.get("reserved", [])]
        self._views = [({}, {}, {}) for _ in range(4)]
        for pn, data in snap["pages"].items():
            self.pages[pn] = bytearray(data)
            perm, pl = snap["perms"][pn]
            self._set_perm(pn, perm, pl)
        self.set_privilege(self.cpl)

    # -- identity ---------------------------------------------------------------------
    def digest_into(self, h: "hashlib._Hash") -> None:
        """Feed every mapped page (number, permissions, contents) and every reserved
        range in order into `h`."""
        for first, last, perm, pl in sorted(self.reserved):
            h.update(b"R" + first.to_bytes(8, "little") + last.to_bytes(8, "little") + bytes((perm, pl)))
        for pn in sorted(self.pages):
            perm, pl = self.perms[pn]
            promote = self.promote.get(pn, 255)
            h.update(pn.to_bytes(8, "little") + bytes((perm, pl, promote)))
            h.update(self.pages[pn])

    def regions(self) -> dict[int, int]:
        """Mapped page count per region number."""
        counts: dict[int, int] = {}
        for pn in self.pages:
            r = region_of(pn << PAGE_SHIFT)
            counts[r] = counts.get(r, 0) + 1
        return counts
