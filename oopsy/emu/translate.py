"""Decoded-bundle cache: bundle address -> the compiled handlers of its slots.

A bundle is fetched (with the execute permission check of the current privilege),
decoded once by `oopsy.ia64.decode.decode_bundle` and every instruction compiled once
by `oopsy.emu.execute.compile_instruction` into a closure with its operands bound. The
step loop then executes a bundle as a tuple of calls.

The cache key is ``bundle_address | cpl``: bundles are 16-byte aligned, so the low bits
are free, and a bundle translated at one privilege is never reused at another (the fetch
permission was checked for that privilege only). Code is assumed not to be rewritten
while it runs (no self-modifying code); `invalidate()` drops everything, for loaders or
kernels that write code.
"""

from __future__ import annotations

from oopsy.emu.execute import Compiled, Context, compile_instruction
from oopsy.ia64.decode import Bundle, decode_bundle


class TranslatedBundle:
    """One bundle ready to run: `fns` (handlers per slot; 2 for MLX, 3 otherwise) and
    `compiled` (the `Compiled` records, for the recorder)."""

    __slots__ = ("address", "bundle", "compiled", "fns")

    def __init__(self, address: int, bundle: Bundle, compiled: tuple[Compiled, ...]):
        self.address = address
        self.bundle = bundle
        self.compiled = compiled
        self.fns = tuple(c.fn for c in compiled)


class Translator:
    """The per-machine cache of translated bundles."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.cache: dict[int, TranslatedBundle] = {}
        self.fns: dict[int, tuple] = {}  # the hot loop's view: key -> handler tuple

    def get(self, address: int) -> TranslatedBundle:
        """The translation of the bundle at `address` for the current privilege
        (fetching and compiling it on a miss; a fetch fault propagates)."""
        m = self.ctx.m
        key = address | m.cpl
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        data = m.mem.fetch(address)
        bundle = decode_bundle(data, address)
        compiled = tuple(compile_instruction(insn, self.ctx) for insn in bundle.instructions)
        tb = TranslatedBundle(address, bundle, compiled)
        self.cache[key] = tb
        self.fns[key] = tb.fns
        return tb

    def handlers(self, address: int) -> tuple:
        """Just the handler tuple (the unrecorded loop's fast path)."""
        return self.get(address).fns

    def invalidate(self) -> None:
        self.cache.clear()
        self.fns.clear()
