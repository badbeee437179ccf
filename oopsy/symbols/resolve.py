"""The symbolization front: address -> `function+off/size`, file:line, inlined chain.

`Symbolizer.open(vmlinux=..., system_map=..., modules=...)` takes what the user has: a
kernel ELF (with or without DWARF), a System.map / kallsyms dump, and a directory of
NAME.ko files for `[NAME]` frames. Answers come from the SQLite index in cache.py, so a
second run against the same ELF does no DWARF parsing.

Three uses by `oopsy decode`: `resolve` per frame, `struct_members_at` for NULL+offset and
poison+offset faults in the guilty function, `check_frames` to warn that the vmlinux does
not belong to the oops. The disassembler seam is `Symbolizer.elf` (an ElfImage whose
`read` gives the faulting bundle's bytes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from oopsy.errors import OopsyError
from oopsy.symbols import dwarf as dw
from oopsy.symbols.cache import SymbolIndex
from oopsy.symbols.elf import PARSE_ERRORS, ElfImage
from oopsy.symbols.kallsyms import SymbolMap

_MACHINES = {"ia64": "EM_IA_64", "x86_64": "EM_X86_64", "arm64": "EM_AARCH64"}
_MODULE_SUFFIXES = (".ko", ".ko.xz", ".ko.gz")


def unpacked_module(path: Path, cache: Path | None) -> Path:
    """`path` itself, or for NAME.ko.xz / NAME.ko.gz its decompressed copy in the cache."""
    if path.suffix not in (".xz", ".gz"):
        return path
    import gzip
    import hashlib
    import lzma

    from oopsy.symbols.cache import cache_dir

    data = path.read_bytes()
    target = (cache or cache_dir()) / "modules" / f"{hashlib.sha256(data).hexdigest()[:20]}-{path.stem}"
    if not target.exists():
        try:
            raw = lzma.decompress(data) if path.suffix == ".xz" else gzip.decompress(data)
        except (lzma.LZMAError, OSError, EOFError) as exc:
            raise OopsyError(f"cannot decompress: {exc}", source=str(path)) from None
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_bytes(raw)
        partial.replace(target)
    return target


@dataclass(frozen=True)
class InlineFrame:
    """One level of `addr2line -f -i`: a function and the source location in it."""

    function: str | None
    file: str | None
    line: int  # 0 when unknown
    discriminator: int = 0

    def location(self) -> str:
        return f"{self.file or '??'}:{self.line if self.line else '?'}"


@dataclass(frozen=True)
class Resolved:
    """What oopsy knows about one address.

    name/offset/size are kallsyms-style (`name+offset/size`, size = ELF st_size, or the
    distance to the next symbol when the symbol table has none). file/line are the line
    table's answer for the address itself (the innermost inlined function's source);
    `inlined` is the addr2line -f -i chain, innermost first: inlined[0] is the innermost
    function with file/line, each later entry is a caller with its call site, the last is
    the real (out-of-line) function. Empty without DWARF.
    """

    address: int
    name: str | None
    offset: int
    size: int
    module: str | None = None
    file: str | None = None
    line: int | None = None
    inlined: tuple[InlineFrame, ...] = ()

    @property
    def symbol(self) -> str:
        """`name+0xoff/0xsize`, plus ` [module]` for a module symbol."""
        if self.name is None:
            return f"{self.address:#x}"
        text = f"{self.name}+{self.offset:#x}/{self.size:#x}"
        return f"{text} [{self.module}]" if self.module else text

    @property
    def location(self) -> str | None:
        if self.file is None:
            return None
        return f"{self.file}:{self.line}" if self.line else f"{self.file}:?"


@dataclass(frozen=True)
class Mismatch:
    """Result of `check_frames`: which printed frames the ELF re-derives differently."""

    checked: int
    differing: tuple[tuple[int, str, str], ...]  # (ip, printed sym+off/size, derived)

    @property
    def matches(self) -> bool:
        return not self.differing

    @property
    def message(self) -> str | None:
        if not self.differing:
            return None
        return f"vmlinux does not match: {len(self.differing)} of {self.checked} frames differ"


@dataclass
class _ElfSource:
    """An ELF plus its index; `module` names it when it is a NAME.ko."""

    elf: ElfImage
    index: SymbolIndex
    module: str | None = None
    text_base: int = 0  # sh_addr of .text: 0 in a relocatable .ko


class Symbolizer:
    """Resolve addresses against a vmlinux, a symbol map and module files."""

    def __init__(self) -> None:
        self.elf: ElfImage | None = None
        self.warnings: list[str] = []
        self.symbols_only = False
        self._kernel: _ElfSource | None = None
        self._map: SymbolMap | None = None
        self._modules_dir: Path | None = None
        self._modules: dict[str, _ElfSource | None] = {}
        self._cache_dir: Path | None = None
        self._arch: str | None = None
        self._module_paths: dict[str, Path] | None = None

    # -- opening ----------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        vmlinux: str | Path | None = None,
        system_map: str | Path | None = None,
        modules: str | Path | None = None,
        *,
        arch: str | None = "ia64",
        cache_dir: str | Path | None = None,
    ) -> Symbolizer:
        """Open the given inputs; OopsyError for anything unusable.

        `arch` is the architecture of the oops ("ia64"); an ELF of another machine is
        refused. Pass None to accept any (the x86_64 benchmark, `oopsy symbolize`).
        """
        if vmlinux is None and system_map is None and modules is None:
            raise OopsyError("nothing to symbolize with: give a vmlinux, System.map or modules")
        self = cls()
        self._arch = arch
        self._cache_dir = Path(cache_dir) if cache_dir is not None else None
        if vmlinux is not None:
            self._kernel = self._open_elf(Path(vmlinux), None)
            self.elf = self._kernel.elf
            if not self.elf.has_dwarf:
                self.symbols_only = True
                self.warnings.append(f"{vmlinux}: no DWARF: symbols only (no file:line, no inlined frames)")
            if not self._kernel.index.has_symbols:
                self.warnings.append(f"{vmlinux}: stripped: no symbol table")
                if self.symbols_only and system_map is None:
                    raise OopsyError("stripped ELF: no symbols and no DWARF", source=str(vmlinux))
        if system_map is not None:
            self._map = SymbolMap.load(system_map)
        if modules is not None:
            path = Path(modules)
            if not path.is_dir():
                raise OopsyError("not a directory of modules", source=str(path))
            self._modules_dir = path
        return self

    def _open_elf(self, path: Path, module: str | None) -> _ElfSource:
        elf = ElfImage(path)
        if self._arch is not None:
            wanted = _MACHINES.get(self._arch, self._arch)
            if elf.machine != wanted:
                elf.close()
                raise OopsyError(
                    f"ELF is for {elf.machine}, not {self._arch} like the oops", source=str(path)
                )
        if module is not None and not elf.is_relocatable:
            self.warnings.append(f"{path}: not a relocatable module; addresses used as linked")
        index = SymbolIndex(elf, self._cache_dir)
        self.warnings.extend(index.warnings)
        text = elf.elf.get_section_by_name(".text")
        return _ElfSource(elf, index, module, text["sh_addr"] if text is not None else 0)

    def _module(self, name: str) -> _ElfSource | None:
        """NAME.ko under --modules (also NAME.ko.xz / .ko.gz), opened once; None if absent
        or unusable (with a warning: one bad module must not stop a decode)."""
        if name in self._modules:
            return self._modules[name]
        source = None
        if self._modules_dir is not None:
            # the kernel treats '-' and '_' in module names alike
            path = self._module_files().get(name.replace("-", "_"))
            if path is None:
                self.warnings.append(f"module {name}: no {name}.ko under {self._modules_dir}")
            else:
                try:
                    source = self._open_elf(unpacked_module(path, self._cache_dir), name)
                    if not source.elf.has_dwarf:
                        self.warnings.append(f"{path}: no DWARF: symbols only")
                except OopsyError as exc:
                    self.warnings.append(f"module {name}: {exc}")
        self._modules[name] = source
        return source

    def _module_files(self) -> dict[str, Path]:
        if self._module_paths is None:
            self._module_paths = {}
            for path in sorted(self._modules_dir.rglob("*.ko*")):
                base = path.name.split(".ko")[0]
                if path.name[len(base):] in _MODULE_SUFFIXES:
                    self._module_paths.setdefault(base.replace("-", "_"), path)
        return self._module_paths

    def module_base(self, module: str) -> int | None:
        """Runtime address of NAME.ko's .text, from a kallsyms dump that lists the module's
        symbols: subtract it from a module frame's ip to get the offset `resolve` takes."""
        source = self._module(module) if self._modules_dir is not None else None
        if source is None or self._map is None:
            return None
        wanted = module.replace("-", "_")
        for sym in self._map.symbols:
            if sym.module is None or sym.module.replace("-", "_") != wanted:
                continue
            image_sym = source.elf.symbol(sym.name)
            if image_sym is not None and image_sym.section == ".text":
                return sym.address - (image_sym.address - source.text_base)
        return None

    def elf_for(self, module: str | None = None) -> ElfImage | None:
        """The vmlinux ElfImage, or NAME.ko's when `module` is given (None if absent)."""
        source = self._module(module) if module else self._kernel
        return source.elf if source is not None else None

    def read_code(self, address: int, size: int = 16, module: str | None = None) -> bytes | None:
        """Bytes at a kernel address (a .text offset with `module`) for the disassembler,
        e.g. the faulting bundle: `read_code(ip & ~0xF)`. None when no ELF holds them."""
        source = self._module(module) if module else self._kernel
        if source is None:
            return None
        try:
            if module:
                return source.elf.read(source.text_base + address, size, ".text") or None
            return source.elf.read(address, size) or None
        except OopsyError:
            return None

    @property
    def index(self) -> SymbolIndex | None:
        """The vmlinux's SymbolIndex (`index_all()` digests all of its DWARF now)."""
        return self._kernel.index if self._kernel is not None else None

    def close(self) -> None:
        for source in [self._kernel, *self._modules.values()]:
            if source is not None:
                source.index.close()
                source.elf.close()

    # -- resolving --------------------------------------------------------------------
    def prepare(self, addresses: Iterable[int], module: str | None = None) -> int:
        """Digest, with a progress bar, the DWARF units a batch of addresses needs (e.g.
        every frame of an oops) so the resolves that follow are cache hits. Returns how
        many units were parsed; 0 on a warm cache."""
        source = self._module(module) if module else self._kernel
        if source is None or not source.elf.has_dwarf:
            return 0
        base = source.text_base if module else 0
        return source.index.prepare(base + a for a in addresses)

    def call_site(self, return_address: int) -> int:
        """The address of the call instruction before a return address, for source lines
        of non-top frames: on ia64 the br.call sits in the bundle before the return
        bundle, looked up as its slot 2 (ip = bundle + slot, facts §5); elsewhere the
        byte before."""
        ia64 = self.elf.is_ia64 if self.elf is not None else self._arch == "ia64"
        if ia64:
            return (return_address & ~0xF) - 0x10 + 2
        return return_address - 1

    def resolve(
        self, address: int, module: str | None = None, *, return_address: bool = False
    ) -> Resolved | None:
        """Symbol, source line and inlined chain for `address`, or None if nothing knows it.

        Without `module` the address is a kernel address (vmlinux, else the map, whose
        kallsyms dumps also cover loaded modules). With `module`, and NAME.ko found under
        --modules, the address is an offset into that module's .text section; without
        the .ko, a kallsyms dump's `[module]` symbols are used with the address as is.
        `return_address=True` (a caller frame) keeps sym+off for the address as printed
        but takes file:line and the inlined chain from the call instruction (`call_site`).
        """
        if return_address:
            found = self.resolve(address, module)
            site = self.resolve(self.call_site(address), module)
            if found is None or site is None:
                return found
            return Resolved(
                found.address, found.name, found.offset, found.size, found.module,
                site.file, site.line, site.inlined,
            )
        if module is not None:
            source = self._module(module) if self._modules_dir is not None else None
            if source is not None:
                return self._resolve_elf(source, source.text_base + address)
            if self._map is not None:
                return self._resolve_map(address, module)
            return None
        if self._kernel is not None:
            found = self._resolve_elf(self._kernel, address)
            if found is not None:
                return found
        if self._map is not None:
            return self._resolve_map(address, None)
        return None

    def resolve_symbol(self, name: str, offset: int, module: str | None = None) -> Resolved | None:
        """Resolve `name+offset` as printed in an oops: right even when the load address
        is unknown (KASLR, module load base)."""
        if module is not None and self._modules_dir is not None:
            source = self._module(module)
            if source is not None:
                sym = source.index.symbol_named(name)
                return self._resolve_elf(source, sym[0] + offset) if sym else None
        if self._kernel is not None and module is None:
            sym = self._kernel.index.symbol_named(name)
            if sym is not None:
                return self._resolve_elf(self._kernel, sym[0] + offset)
        if self._map is not None:
            sym = self._map.symbol(name, module)
            if sym is not None:
                return self._resolve_map(sym.address + offset, module)
        return None

    def _resolve_map(self, address: int, module: str | None) -> Resolved | None:
        hit = self._map.lookup(address, module)
        if hit is None:
            return None
        sym, offset = hit
        return Resolved(address, sym.name, offset, sym.size, sym.module)

    def _resolve_elf(self, source: _ElfSource, address: int) -> Resolved | None:
        index = source.index
        sym = index.symbol_at(address)
        frames: tuple[InlineFrame, ...] = ()
        if source.elf.has_dwarf:
            frames = self._inline_chain(source, address)
        if sym is None and not frames:
            return None
        file = frames[0].file if frames else None
        line = frames[0].line if frames else None
        if sym is None:
            return Resolved(address - source.text_base, None, 0, 0, source.module, file, line, frames)
        name, start, size, span = sym
        return Resolved(
            address - source.text_base if source.module else address,
            name,
            address - start,
            size or span,
            source.module,
            file,
            line,
            frames,
        )

    def _inline_chain(self, source: _ElfSource, address: int) -> tuple[InlineFrame, ...]:
        index = source.index
        for unit in index.units_at(address):
            if not index.ensure_unit(unit):
                continue
            self.warnings.extend(w for w in index.warnings if w not in self.warnings)
            row = index.line_at(unit, address)
            die = index.innermost_function(unit, address)
            if row is None and die is None:
                continue
            file, line, discriminator = row if row else (None, 0, 0)
            if die is None:
                return (InlineFrame(self._fallback_name(index, address), file, line, discriminator),)
            name, caller, call_file, call_line = index.function(die)
            frames = [InlineFrame(name or self._fallback_name(index, address), file, line, discriminator)]
            seen = {die}
            while caller is not None and caller not in seen:
                seen.add(caller)
                caller_name, next_caller, next_file, next_line = index.function(caller)
                frames.append(InlineFrame(caller_name, call_file, call_line, discriminator))
                caller, call_file, call_line = next_caller, next_file, next_line
            return tuple(frames)
        return ()

    def nearest_code_symbol(self, address: int, module: str | None = None) -> tuple[str, str | None] | None:
        """(name, file) of the nearest non-object symbol at or below `address` in its
        section, sizes ignored: what addr2line prints when DWARF has no function there."""
        source = self._module(module) if module else self._kernel
        if source is None:
            return None
        return self._fallback(source.index, source.text_base + address if module else address)

    @staticmethod
    def _fallback(index: SymbolIndex, address: int) -> tuple[str, str | None] | None:
        section = index.section_at(address)
        return index.code_symbol_before(address, section) if section else None

    @classmethod
    def _fallback_name(cls, index: SymbolIndex, address: int) -> str | None:
        found = cls._fallback(index, address)
        return found[0] if found else None

    # -- struct members ---------------------------------------------------------------
    def struct_members_at(self, function_name: str, offset: int, module: str | None = None) -> list[str]:
        """"type.member" names at `offset` in the pointee of each pointer parameter of
        `function_name` (from DWARF), e.g. ["task_struct.ptrace_message"]."""
        source = self._module(module) if module else self._kernel
        if source is None or not source.elf.has_dwarf:
            return []
        index = source.index
        cached = index.cached_members(function_name, offset)
        if cached is not None:
            return cached
        sym = index.symbol_named(function_name)
        result: list[str] = []
        units = index.units_at(sym[0]) if sym else []
        try:
            for unit in units:
                die = dw.find_function_die(index.dwarf, unit, function_name, sym[0])
                if die is not None:
                    result = dw.struct_members(die, offset)
                    break
        except PARSE_ERRORS as exc:
            self.warnings.append(f"{source.elf.path}: struct layout unreadable ({exc})")
        index.store_members(function_name, offset, result)
        return result

    # -- mismatch ---------------------------------------------------------------------
    def check_frames(
        self, frames: Iterable[tuple[int, str | None, int | None, int | None]]
    ) -> Mismatch:
        """Re-derive `sym+off/size` for each printed (ip, name, offset, size) frame.

        A frame agrees when the ELF (or map) names the same symbol at the same offset and
        its size is the printed one (ELF st_size or distance to the next symbol, which is
        what kallsyms prints). Frames printed without a symbol are not counted.
        """
        checked = 0
        differing = []
        for ip, name, offset, size in frames:
            if name is None:
                continue
            checked += 1
            derived = self._derive(ip)
            printed = f"{name}+{offset:#x}/{size:#x}" if offset is not None and size is not None else name
            if derived is None:
                differing.append((ip, printed, "no symbol"))
                continue
            d_name, d_offset, sizes = derived
            ok = d_name == name and (offset is None or d_offset == offset)
            ok = ok and (size is None or size in sizes)
            if not ok:
                differing.append((ip, printed, f"{d_name}+{d_offset:#x}/{max(sizes):#x}"))
        return Mismatch(checked, tuple(differing))

    def _derive(self, ip: int) -> tuple[str, int, set[int]] | None:
        if self._kernel is not None:
            sym = self._kernel.index.symbol_at(ip)
            if sym is not None:
                name, start, size, span = sym
                return name, ip - start, {s for s in (size, span) if s} or {0}
        if self._map is not None:
            hit = self._map.lookup(ip)
            if hit is not None:
                return hit[0].name, hit[1], {hit[0].size}
        return None


def addr2line_lines(resolved: Resolved | None, fallback: tuple[str, str | None] | None = None) -> list[str]:
    """The lines `addr2line -f -i` prints for an address (without -a), for comparison and
    for `oopsy symbolize --format addr2line`. Without DWARF for the address addr2line
    names the nearest code symbol and its STT_FILE: `fallback`, from
    `Symbolizer.nearest_code_symbol`."""
    if not (resolved and resolved.inlined):
        if fallback is None:
            return ["??", "??:0"]
        return [fallback[0], f"{fallback[1] or '??'}:?"]
    out = []
    for frame in resolved.inlined:
        out.append(frame.function or "??")
        where = f"{frame.file or '??'}:"
        if not frame.line:
            where += "?"
        elif frame.discriminator:
            where += f"{frame.line} (discriminator {frame.discriminator})"
        else:
            where += str(frame.line)
        out.append(where)
    return out


def parse_address(text: str) -> tuple[int | None, str | None, int]:
    """`0xADDR`/`ADDR` (hex) -> (address, None, 0); `name+0xoff[/0xsize]` -> (None, name, off).

    Raises ValueError for anything else.
    """
    text = text.strip()
    if "+" in text:
        name, _, rest = text.partition("+")
        offset = int(rest.split("/")[0], 16)
        if not name:
            raise ValueError(text)
        return None, name, offset
    return int(text, 16), None, 0


def describe(address: int, resolved: Resolved | None) -> list[str]:
    """Readable lines for one address: `ADDR sym+off/size`, then the inlined chain."""
    head = f"{address:#x}"
    if resolved is None:
        return [f"{head} ?? (no symbol or line information)"]
    lines = [f"{head} {resolved.symbol if resolved.name else '??'}"]
    for i, frame in enumerate(resolved.inlined):
        lead = "    " if i == 0 else "    inlined by "
        lines.append(f"{lead}{frame.function or '??'} at {frame.location()}")
    return lines


def to_json(address: int, resolved: Resolved | None) -> dict:
    if resolved is None:
        return {"address": address, "symbol": None}
    return {
        "address": address,
        "symbol": resolved.name,
        "offset": resolved.offset,
        "size": resolved.size,
        "module": resolved.module,
        "file": resolved.file,
        "line": resolved.line,
        "inlined": [
            {"function": f.function, "file": f.file, "line": f.line, "discriminator": f.discriminator}
            for f in resolved.inlined
        ],
    }
