"""IA-64 architectural state and the register stack engine (RSE).

Hot-path layout (the executor indexes these lists directly):

- `gr[0..127]`, `nat[0..127]`: the registers *as the current instruction sees them*.
  r0-r31 are static; r32..r32+sof-1 are the current frame's stacked registers already
  renamed through CFM (rotation by rrb.gr inside the sor rotating ones applied). This
  "view" is authoritative for the current frame; stacked registers of older frames live
  in the physical stacked register file `phys`/`phys_nat` (96 entries, circular).
  Entries beyond sof are out of frame: the executor must fault on them.
- `pr[0..63]` (0/1, pr[0] is 1) likewise seen through rrb.pr rotation.
- `br[0..7]`, `ar[0..127]` (by AR number), `cr[0..127]` (by CR number), `rr[0..7]`
  (region registers, stored only: translation is identity).
- CFM as separate ints: sof, sol, sor (register count, multiple of 8), rrb_gr, rrb_fr,
  rrb_pr.

The view is synchronised with `phys` only when the frame changes (alloc, br.call,
br.ret, cover, rfi, rotation), so a register access is one list index.

The RSE (facts §3.2, §3.3; Ski is the reference): the physical file is partitioned into
the current frame (sof registers from `bof`), the dirty partition (`ndirty` registers
below bof, not yet written to the backing store: backing addresses [bspstore, bsp)),
the clean partition (`nclean` registers below those, already in memory below bspstore
and still valid in the file) and the invalid rest. The RSE here is lazy: it moves
registers to or from memory only when it must (mandatory spills when a frame grows past
the file, mandatory fills when returning to a frame whose registers left the file,
flushrs, loadrs) — an implementation choice the trace header records. Every spill and
fill goes through `Memory.rse_write8/rse_read8` (kinds rse_spill / rse_fill) at
privilege ar.rsc.pl, so provenance flows through the backing store, and NaT bits are
collected into ar.rnat and written to every 64th slot (rse.h).

Contract for the executor (what each instruction calls; the executor owns ip/slot,
predication, stops and the writes to r1 / b1):

- alloc r1=ar.pfs,i,l,o,r   -> `v = m.alloc(i, l, o, r)`, then write v to r1 (new frame)
- br.call b1=target         -> `m.br[b1] = return bundle; m.call(); ip = target`
- br.ret b2                 -> `ppl = m.ret()`; if ppl > cpl: `m.set_cpl(ppl)`; ip = b2
- cover / flushrs / loadrs  -> `m.cover()`, `m.flushrs()`, `m.loadrs()`
- mov ar=r / mov r=ar       -> `m.write_ar(n, v)` / `m.read_ar(n)` (bsp, bspstore, rnat,
                               rsc, ec, itc semantics); plain ARs may use m.ar[n]
- mov pr=r,mask / mov r=pr  -> `m.write_pr(v, mask)` / `m.read_pr()`; pr.rot -> write_pr_rot
- br.ctop/cexit/wtop/wexit  -> `m.rotate()` (then the executor sets p16 / lc / ec)
- clrrrb / clrrrb.pr        -> `m.clrrrb()` / `m.clrrrb(pr_only=True)`
- bsw.0 / bsw.1             -> `m.bank_switch(0|1)`; rsm/ssm/mov psr.l -> `m.set_psr(v)`
- a fault                   -> `m.interrupt(fault, iim=...)` returns the vector address
                               (or, with no IVT installed, report it: die()/oops)
- rfi                       -> `m.rfi()` (frame from cr.ifs, psr, ip and slot)
- register operands: m.gr[r] / m.nat[r] for r < 32 + m.sof (r0 stays 0: never write it)
- unwinding for an oops: `oopsy.ia64.unwind.unwind(m.unwind_state(), table,
  MachineFrameReader(m))`
"""

from __future__ import annotations

import hashlib

from oopsy.emu.faults import ISR_EI_SHIFT, ISR_NI, GuestFault, illegal_operation, reserved_register_field
from oopsy.emu.memory import Memory
from oopsy.ia64.rse import num_regs, rnat_addr, skip_regs
from oopsy.ia64.unwind import TopState

N_STACKED = 96  # facts §3.3: N_STACK_VIRT = 96 (and the physical file size modelled)
MASK64 = (1 << 64) - 1
RNAT_MASK = (1 << 63) - 1  # facts §3.2: bit 63 of an RNAT word is ignored

# Application register numbers.
AR_K0 = 0
AR_RSC = 16
AR_BSP = 17
AR_BSPSTORE = 18
AR_RNAT = 19
AR_CSD = 25
AR_SSD = 26
AR_CCV = 32
AR_UNAT = 36
AR_FPSR = 40
AR_ITC = 44
AR_PFS = 64
AR_LC = 65
AR_EC = 66

# Control register numbers.
CR_DCR = 0
CR_ITM = 1
CR_IVA = 2
CR_PTA = 8
CR_IPSR = 16
CR_ISR = 17
CR_IIP = 19
CR_IFA = 20
CR_ITIR = 21
CR_IIPA = 22
CR_IFS = 23
CR_IIM = 24
CR_IHA = 25

AR_NAMES = {
    AR_RSC: "rsc", AR_BSP: "bsp", AR_BSPSTORE: "bspstore", AR_RNAT: "rnat", AR_CSD: "csd",
    AR_SSD: "ssd", AR_CCV: "ccv", AR_UNAT: "unat", AR_FPSR: "fpsr", AR_ITC: "itc",
    AR_PFS: "pfs", AR_LC: "lc", AR_EC: "ec",
}
CR_NAMES = {
    CR_DCR: "dcr", CR_ITM: "itm", CR_IVA: "iva", CR_PTA: "pta", CR_IPSR: "ipsr", CR_ISR: "isr",
    CR_IIP: "iip", CR_IFA: "ifa", CR_ITIR: "itir", CR_IIPA: "iipa", CR_IFS: "ifs", CR_IIM: "iim",
    CR_IHA: "iha",
}

# facts §3.1: PSR bits used by the machine itself.
PSR_BE = 1 << 1
PSR_IC = 1 << 13
PSR_PP = 1 << 21
PSR_CPL_SHIFT = 32
PSR_RI_SHIFT = 41
PSR_BN = 1 << 44
# On an interruption psr.up/mfl/mfh/pk/dt/rt/mc/it are kept, be and pp come from
# cr.dcr (bits 1 and 0), everything else is cleared: cpl 0, ic 0, i 0, ri 0, bn 0
# (the KVM-ia64 collect_interruption comment says the same).
PSR_KEPT_ON_INTERRUPTION = (1 << 2) | (1 << 4) | (1 << 5) | (1 << 15) | (1 << 17) | (1 << 27) | (1 << 35) | (1 << 36)


def _slot(addr: int) -> int:
    return (addr >> 3) & 0x3F


def _skip(addr: int, count: int) -> int:
    """rse.h ia64_rse_skip_regs (facts §3.2), inlined arithmetic for the hot path."""
    delta = ((addr >> 3) & 0x3F) + count
    if count < 0:
        delta -= 0x3E
        return addr + (count - ((-delta) // 0x3F if delta < 0 else -(delta // 0x3F))) * 8
    return addr + (count + delta // 0x3F) * 8


class Machine:
    """Architectural state of one IA-64 CPU plus its memory. See the module docstring."""

    def __init__(self, memory: Memory | None = None):
        self.mem = memory if memory is not None else Memory()
        self.gr = [0] * 128
        self.nat = [0] * 128
        self.pr = [0] * 64
        self.pr[0] = 1
        self.br = [0] * 8
        self.ar = [0] * 128
        self.cr = [0] * 128
        self.rr = [0] * 8  # region registers: kept for mov rr[]; translation is identity
        self.psr = 0
        self.cpl = 0
        self.other_bank = [0] * 16  # r16-r31 of the bank psr.bn does not select
        self.other_bank_nat = [0] * 16
        self.ip = 0  # bundle address of the next instruction
        self.slot = 0  # its slot: psr.ri while running (the ri bits of `psr` stay 0)
        self.steps = 0  # executed slots; ar.itc derives from it
        # CFM
        self.sof = 0
        self.sol = 0
        self.sor = 0
        self.rrb_gr = 0
        self.rrb_fr = 0
        self.rrb_pr = 0
        # RSE
        self.phys = [0] * N_STACKED
        self.phys_nat = [0] * N_STACKED
        self.bof = 0
        self.bsp = 0
        self.bspstore = 0
        self.rnat = 0
        self.ndirty = 0
        self.nclean = 0

    # ================================================================ CFM / PSR =====
    @property
    def cfm(self) -> int:
        """The current frame marker in ar.pfs.pfm / cr.ifs layout (facts §3.1)."""
        return (
            self.sof
            | (self.sol << 7)
            | ((self.sor >> 3) << 14)
            | (self.rrb_gr << 18)
            | (self.rrb_fr << 25)
            | (self.rrb_pr << 32)
        )

    def set_psr(self, value: int) -> None:
        """Write the whole psr (rfi, mov psr.l, bsw, reset); keeps memory privilege and
        the banked registers r16-r31 (psr.bn) in step."""
        value &= MASK64
        if (value ^ self.psr) & PSR_BN:
            gr, nat = self.gr, self.nat
            gr[16:32], self.other_bank = self.other_bank, gr[16:32]
            nat[16:32], self.other_bank_nat = self.other_bank_nat, nat[16:32]
        self.psr = value
        cpl = (self.psr >> PSR_CPL_SHIFT) & 3
        if cpl != self.cpl:
            self.cpl = cpl
            self.mem.set_privilege(cpl)

    def bank_switch(self, bank: int) -> None:
        """`bsw.0` / `bsw.1`: select the r16-r31 register bank."""
        self.set_psr((self.psr & ~PSR_BN) | (PSR_BN if bank else 0))

    def set_cpl(self, cpl: int) -> None:
        """Change psr.cpl alone (br.ret demotion, epc promotion)."""
        self.set_psr((self.psr & ~(3 << PSR_CPL_SHIFT)) | ((cpl & 3) << PSR_CPL_SHIFT))

    # ============================================================ predicates ========
    def read_pr(self) -> int:
        """`mov rX=pr`: the 64 predicates as the program sees them (p0 = 1)."""
        value = 0
        pr = self.pr
        for i in range(63, -1, -1):
            value = (value << 1) | pr[i]
        return value

    def write_pr(self, value: int, mask: int = MASK64) -> None:
        """`mov pr=rX,mask` (p0 is never written)."""
        pr = self.pr
        for i in range(1, 64):
            if (mask >> i) & 1:
                pr[i] = (value >> i) & 1

    def write_pr_rot(self, value: int) -> None:
        """`mov pr.rot=imm`: p16-p63 from the immediate (bits 16-63)."""
        self.write_pr(value, MASK64 & ~0xFFFF)

    # ======================================================= application regs ======
    def read_ar(self, n: int) -> int:
        """`mov rX=ar.n` with the RSE registers' side conditions (facts §3.3)."""
        if n == AR_BSP:
            return self.bsp
        if n in (AR_BSPSTORE, AR_RNAT):
            if self.ar[AR_RSC] & 3:
                raise illegal_operation(f"read of ar.{AR_NAMES[n]} with ar.rsc.mode != 0")
            return self.bspstore if n == AR_BSPSTORE else self.rnat
        if n == AR_ITC:
            # deterministic time: ar.itc counts executed slots (plus what was written)
            return (self.steps + self.ar[AR_ITC]) & MASK64
        return self.ar[n]

    def write_ar(self, n: int, value: int) -> None:
        """`mov ar.n=rX` including the RSE's effects (facts §3.3)."""
        value &= MASK64
        if n == AR_BSP:
            raise illegal_operation("mov to ar.bsp")
        if n == AR_BSPSTORE:
            self.set_bspstore(value)
        elif n == AR_RNAT:
            if self.ar[AR_RSC] & 3:
                raise illegal_operation("mov to ar.rnat with ar.rsc.mode != 0")
            self.rnat = value & RNAT_MASK
        elif n == AR_RSC:
            if ((value >> 2) & 3) < self.cpl:  # facts §3.3: pl cannot be more privileged than cpl
                value = (value & ~0xC) | (self.cpl << 2)
            self.ar[AR_RSC] = value
        elif n == AR_EC:
            self.ar[AR_EC] = value & 0x3F
        elif n == AR_ITC:
            self.ar[AR_ITC] = (value - self.steps) & MASK64  # kept as an offset
        else:
            self.ar[n] = value

    @property
    def rse_pl(self) -> int:
        return (self.ar[AR_RSC] >> 2) & 3

    # ====================================================== frame view sync =========
    def _store_view(self) -> None:
        """Copy the current frame from the view `gr`/`nat` into the physical file."""
        sof = self.sof
        if not sof:
            return
        if self.rrb_gr and self.sor:
            gr, nat, phys, pnat, b = self.gr, self.nat, self.phys, self.phys_nat, self.bof
            sor, rrb = self.sor, self.rrb_gr
            for i in range(sof):
                p = (b + ((i + rrb) % sor if i < sor else i)) % N_STACKED
                phys[p] = gr[32 + i]
                pnat[p] = nat[32 + i]
            return
        self._store_locals(sof)

    def _load_view(self, start: int = 0) -> None:
        """Copy stacked registers start..sof-1 of the current frame from the physical file."""
        sof = self.sof
        if start >= sof:
            return
        gr, nat, phys, pnat, b = self.gr, self.nat, self.phys, self.phys_nat, self.bof
        if self.rrb_gr and self.sor and start < self.sor:
            sor, rrb = self.sor, self.rrb_gr
            for i in range(start, sof):
                p = (b + ((i + rrb) % sor if i < sor else i)) % N_STACKED
                gr[32 + i] = phys[p]
                nat[32 + i] = pnat[p]
            return
        lo = (b + start) % N_STACKED
        count = sof - start
        end = lo + count
        if end <= N_STACKED:
            gr[32 + start : 32 + sof] = phys[lo:end]
            nat[32 + start : 32 + sof] = pnat[lo:end]
        else:
            first = N_STACKED - lo
            gr[32 + start : 32 + start + first] = phys[lo:]
            nat[32 + start : 32 + start + first] = pnat[lo:]
            gr[32 + start + first : 32 + sof] = phys[: end - N_STACKED]
            nat[32 + start + first : 32 + sof] = pnat[: end - N_STACKED]

    def _pr_to_physical(self) -> None:
        """Undo rrb.pr rotation in the predicate view (before rrb.pr becomes 0)."""
        rrb = self.rrb_pr
        if rrb:
            rot = self.pr[16:64]
            # logical i = physical (i + rrb) % 48  =>  physical j = logical (j - rrb) % 48
            self.pr[16:64] = [rot[(j - rrb) % 48] for j in range(48)]

    def _pr_from_physical(self, rrb: int) -> None:
        """Apply rrb.pr rotation to a predicate view holding physical order."""
        if rrb:
            phys = self.pr[16:64]
            self.pr[16:64] = [phys[(i + rrb) % 48] for i in range(48)]

    # ============================================================ RSE engine ========
    def _spill_regs(self, count: int) -> None:
        """Mandatory spills: store the `count` oldest dirty registers at bspstore upward,
        writing ar.rnat into each 0x3f slot passed (facts §3.2). Progress made before a
        fault stays committed (those stores happened)."""
        addr = self.bspstore
        mem_write = self.mem.rse_write8
        pl = (self.ar[AR_RSC] >> 2) & 3
        phys, pnat = self.phys, self.phys_nat
        p = (self.bof - self.ndirty) % N_STACKED
        rnat = self.rnat
        done = 0
        try:
            while done < count:
                slot = (addr >> 3) & 0x3F
                if slot == 0x3F:
                    mem_write(addr, rnat & RNAT_MASK, pl)
                else:
                    mem_write(addr, phys[p] & MASK64, pl)
                    if pnat[p]:
                        rnat |= 1 << slot
                    else:
                        rnat &= ~(1 << slot)
                    p = p + 1 if p < N_STACKED - 1 else 0
                    done += 1
                addr += 8
        finally:
            self.bspstore = addr
            self.rnat = rnat
            self.ndirty -= done
            self.nclean += done

    def _fill_range(self, lo: int, hi: int) -> None:
        """Mandatory fills: load the registers with backing addresses [lo, hi) into the
        physical file (their slots relative to bsp/bof), NaT bits from the RNAT words
        (or ar.rnat for a collection not yet written, i.e. at or above bspstore).

        All loads happen before anything changes, so a fault leaves the state intact.
        """
        loaded = []
        mem_read = self.mem.rse_read8
        pl = (self.ar[AR_RSC] >> 2) & 3
        bspstore = self.bspstore
        word_addr = -1
        word = 0
        addr = lo
        while addr < hi:
            slot = (addr >> 3) & 0x3F
            if slot != 0x3F:
                value = mem_read(addr, pl)
                raddr = addr | 0x1F8
                if raddr != word_addr:
                    word_addr = raddr
                    word = self.rnat if raddr >= bspstore else mem_read(raddr, pl)
                loaded.append((value, (word >> slot) & 1))
            addr += 8
        p = (self.bof - num_regs(lo, self.bsp)) % N_STACKED
        phys, pnat = self.phys, self.phys_nat
        for value, natbit in loaded:
            phys[p] = value
            pnat[p] = natbit
            p = p + 1 if p < N_STACKED - 1 else 0

    def _make_room(self, needed_frame: int) -> None:
        """Evict clean registers, then spill dirty ones, until the partitions plus a frame
        of `needed_frame` registers fit the physical file (mandatory spills)."""
        excess = self.nclean + self.ndirty + needed_frame - N_STACKED
        if excess <= 0:
            return
        drop = min(excess, self.nclean)
        self.nclean -= drop
        excess -= drop
        if excess > 0:
            self._spill_regs(excess)
            self.nclean -= excess

    def _restore_frame(self, preserved: int, sof: int, sol: int, sor: int, rrb_gr: int, rrb_fr: int, rrb_pr: int) -> None:
        """Return to an older frame whose registers start `preserved` registers below bsp
        (br.ret: pfm.sol; rfi: ifs.sof), filling them from memory if they left the file."""
        if sof > N_STACKED or sol > sof or sor > sof:
            raise reserved_register_field(f"frame marker sof={sof} sol={sol} sor={sor}")
        new_bsp = _skip(self.bsp, -preserved)
        old_bspstore = self.bspstore
        self._store_view()  # a cache write-back, architecturally invisible
        if new_bsp >= old_bspstore:
            # the frame's locals are all dirty; a frame larger than what the callee left
            # may need room: mandatory spills happen before anything else changes
            excess = self.nclean + self.ndirty - preserved + sof - N_STACKED
            if excess > 0:
                drop = min(excess, self.nclean)
                self.nclean -= drop
                if excess > drop:
                    self._spill_regs(excess - drop)
                    self.nclean -= excess - drop
            self.ndirty -= preserved
        else:
            clean_bottom = _skip(old_bspstore, -self.nclean)
            if new_bsp < clean_bottom:
                self._fill_range(new_bsp, clean_bottom)  # faults before any visible change
                self.nclean = 0
            else:
                self.nclean = num_regs(clean_bottom, new_bsp)
            raddr = new_bsp | 0x1F8
            if raddr < old_bspstore:
                # bspstore moves back into a collection group already written: reload it
                self.rnat = self.mem.rse_read8(raddr, (self.ar[AR_RSC] >> 2) & 3) & RNAT_MASK
            self.ndirty = 0
            self.bspstore = new_bsp
        if self.rrb_pr:
            self._pr_to_physical()
        self.bsp = new_bsp
        self.bof = (self.bof - preserved) % N_STACKED
        self.sof, self.sol, self.sor = sof, sol, sor
        self.rrb_gr, self.rrb_fr, self.rrb_pr = rrb_gr, rrb_fr, rrb_pr
        if self.nclean + self.ndirty + sof > N_STACKED:  # only clean ones left to evict
            self.nclean = N_STACKED - self.ndirty - sof
        self._load_view()
        if rrb_pr:
            self._pr_from_physical(rrb_pr)

    # ======================================================= RSE instructions =======
    def alloc(self, ins: int, locs: int, outs: int, rots: int) -> int:
        """`alloc r1=ar.pfs,i,l,o,r`: resize the frame, return ar.pfs for r1 (which the
        executor writes in the *new* frame). facts §3.3 (Ski cfmWrt)."""
        sof = ins + locs + outs
        sol = ins + locs
        if sof > N_STACKED or sol > sof or rots > sof or rots & 7:
            raise illegal_operation(f"alloc frame sof={sof} sol={sol} sor={rots}")
        if rots != self.sor and (self.rrb_gr or self.rrb_fr or self.rrb_pr):
            raise reserved_register_field("alloc changes sor while rrb is non-zero")
        pfs = self.ar[AR_PFS]
        old_sof = self.sof
        if sof > old_sof:
            if self.nclean + self.ndirty + sof > N_STACKED:
                self._make_room(sof)  # mandatory spills happen before the frame changes
            # the new registers come from the invalid partition (values undefined); any
            # rotating registers they include are not rotated (rrb is 0 or sor unchanged)
            lo = (self.bof + old_sof) % N_STACKED
            hi = lo + sof - old_sof
            if hi <= N_STACKED:
                self.gr[32 + old_sof : 32 + sof] = self.phys[lo:hi]
                self.nat[32 + old_sof : 32 + sof] = self.phys_nat[lo:hi]
            else:
                self.gr[32 + old_sof : 32 + sof] = self.phys[lo:] + self.phys[: hi - N_STACKED]
                self.nat[32 + old_sof : 32 + sof] = self.phys_nat[lo:] + self.phys_nat[: hi - N_STACKED]
        self.sof, self.sol, self.sor = sof, sol, rots
        return pfs

    def call(self) -> None:
        """The frame part of `br.call`: ar.pfs <- {CFM, ar.ec, cpl}; the caller's locals
        become dirty; the callee's frame is the caller's outputs (facts §3.3)."""
        sol = self.sol
        self.ar[AR_PFS] = (
            self.sof | (sol << 7) | ((self.sor >> 3) << 14) | (self.rrb_gr << 18)
            | (self.rrb_fr << 25) | (self.rrb_pr << 32) | (self.ar[AR_EC] << 52) | (self.cpl << 62)
        )
        rotated = self.rrb_gr and self.sor
        if rotated:
            self._store_view()
        elif sol:
            self._store_locals(sol)
        if self.rrb_pr:
            self._pr_to_physical()
        self.bsp = _skip(self.bsp, sol)
        self.ndirty += sol
        old_sof = self.sof
        self.bof = (self.bof + sol) % N_STACKED
        self.sof = old_sof - sol
        self.sol = self.sor = self.rrb_gr = self.rrb_fr = self.rrb_pr = 0
        if rotated:
            self._load_view()
        elif sol:
            gr, nat = self.gr, self.nat
            gr[32 : 32 + self.sof] = gr[32 + sol : 32 + old_sof]
            nat[32 : 32 + self.sof] = nat[32 + sol : 32 + old_sof]

    def _store_locals(self, count: int) -> None:
        """Store the first `count` stacked registers of an unrotated view to the file
        (from bof on, wrapping around the circular physical file)."""
        if not count:
            return
        b = self.bof
        end = b + count
        gr, nat, phys, pnat = self.gr, self.nat, self.phys, self.phys_nat
        if end <= N_STACKED:
            phys[b:end] = gr[32 : 32 + count]
            pnat[b:end] = nat[32 : 32 + count]
        else:
            first = N_STACKED - b
            phys[b:] = gr[32 : 32 + first]
            pnat[b:] = nat[32 : 32 + first]
            phys[: end - N_STACKED] = gr[32 + first : 32 + count]
            pnat[: end - N_STACKED] = nat[32 + first : 32 + count]

    def ret(self) -> int:
        """The frame part of `br.ret`: CFM <- ar.pfs.pfm, ar.ec <- pfs.pec, bsp moves back
        by pfm.sol (mandatory fills if needed). Returns pfs.ppl for the privilege
        demotion the executor applies (facts §3.3)."""
        pfs = self.ar[AR_PFS]
        self._restore_frame(
            (pfs >> 7) & 0x7F,
            pfs & 0x7F,
            (pfs >> 7) & 0x7F,
            ((pfs >> 14) & 0xF) << 3,
            (pfs >> 18) & 0x7F,
            (pfs >> 25) & 0x7F,
            (pfs >> 32) & 0x3F,
        )
        self.ar[AR_EC] = (pfs >> 52) & 0x3F
        return (pfs >> 62) & 3

    def cover(self) -> None:
        """`cover`: the current frame joins the dirty partition, CFM becomes empty; with
        psr.ic = 0 the old CFM goes to cr.ifs with the valid bit (facts §3.3)."""
        if not self.psr & PSR_IC:
            self.cr[CR_IFS] = self.cfm | (1 << 63)
        self._store_view()
        self._pr_to_physical()
        sof = self.sof
        self.bsp = _skip(self.bsp, sof)
        self.ndirty += sof
        self.bof = (self.bof + sof) % N_STACKED
        self.sof = self.sol = self.sor = self.rrb_gr = self.rrb_fr = self.rrb_pr = 0

    def restore_frame_from_ifs(self) -> None:
        """The frame part of `rfi` when cr.ifs.v is set: CFM <- cr.ifs, bsp moves back by
        ifs.sof (facts §3.3)."""
        ifs = self.cr[CR_IFS]
        if not ifs >> 63:
            return
        self._restore_frame(
            ifs & 0x7F,
            ifs & 0x7F,
            (ifs >> 7) & 0x7F,
            ((ifs >> 14) & 0xF) << 3,
            (ifs >> 18) & 0x7F,
            (ifs >> 25) & 0x7F,
            (ifs >> 32) & 0x3F,
        )

    def flushrs(self) -> None:
        """`flushrs`: spill every dirty register and RNAT slot until bspstore == bsp."""
        self._spill_regs(self.ndirty)
        if self.bspstore < self.bsp:  # the collection slot just below bsp
            self.mem.rse_write8(self.bspstore, self.rnat & RNAT_MASK, self.rse_pl)
            self.bspstore += 8

    def loadrs(self) -> None:
        """`loadrs`: make the ar.rsc.loadrs bytes below bsp the dirty partition (loading
        what left the file), invalidate everything below; bspstore = bsp - loadrs."""
        rsc = self.ar[AR_RSC]
        nbytes = (rsc >> 16) & 0x3FFF
        if rsc & 3 or (nbytes and self.sof):
            raise illegal_operation("loadrs needs ar.rsc.mode == 0 and (loadrs == 0 or sof == 0)")
        target = self.bsp - nbytes
        count = num_regs(target, self.bsp)
        if count + self.sof > N_STACKED:
            raise illegal_operation(f"loadrs of {count} registers exceeds the physical stack")
        clean_bottom = skip_regs(self.bspstore, -self.nclean)
        if target < clean_bottom:
            self._fill_range(target, clean_bottom)
        self.ndirty = count
        self.nclean = 0
        self.bspstore = target

    def set_bspstore(self, value: int) -> None:
        """`mov ar.bspstore=rX`: dirty registers keep their count and move with the new
        base; clean ones become invalid; bsp follows (facts §3.3)."""
        if self.ar[AR_RSC] & 3:
            raise illegal_operation("mov to ar.bspstore with ar.rsc.mode != 0")
        base = value & ~7 & MASK64
        self.bspstore = base
        self.nclean = 0
        self.bsp = skip_regs(base, self.ndirty)

    def rotate(self) -> None:
        """Register rotation of the modulo-scheduled loop branches (facts §3.3, Ski
        rotate_regs): rrb.gr (if sor), rrb.fr and rrb.pr count down; values move up."""
        sor = self.sor
        if sor:
            self.rrb_gr = self.rrb_gr - 1 if self.rrb_gr else sor - 1
            gr, nat = self.gr, self.nat
            top = 31 + sor
            gr[32 : 32 + sor] = [gr[top]] + gr[32:top]
            nat[32 : 32 + sor] = [nat[top]] + nat[32:top]
        self.rrb_fr = self.rrb_fr - 1 if self.rrb_fr else 95
        self.rrb_pr = self.rrb_pr - 1 if self.rrb_pr else 47
        pr = self.pr
        pr[16:64] = [pr[63]] + pr[16:63]

    def clrrrb(self, pr_only: bool = False) -> None:
        """`clrrrb` / `clrrrb.pr`: rotation bases back to 0."""
        if not pr_only:
            self._store_view()
            self.rrb_gr = self.rrb_fr = 0
            self._load_view()
        self._pr_to_physical()
        self.rrb_pr = 0

    # ============================================================ interruptions =====
    def interrupt(self, fault: GuestFault, iim: int | None = None, iipa: int | None = None) -> int:
        """Deliver `fault` at the current ip/slot through the IVT and return the vector
        address (also the new ip). With psr.ic = 1 the interrupted state is collected:
        cr.ipsr (psr with ri = slot), cr.iip, cr.iipa, cr.ifs.v cleared (the frame is not
        covered: the handler does that). cr.isr gets the fault's bits with ei = slot
        (facts §5), and ni when collection was off; cr.ifa and cr.iim when given."""
        psr = self.psr
        slot = self.slot
        if psr & PSR_IC:
            self.cr[CR_IPSR] = (psr & ~(3 << PSR_RI_SHIFT)) | (slot << PSR_RI_SHIFT)
            self.cr[CR_IIP] = self.ip
            self.cr[CR_IIPA] = self.ip if iipa is None else iipa
            self.cr[CR_IFS] &= ~(1 << 63)
        isr = (fault.isr & ~(3 << ISR_EI_SHIFT)) | (slot << ISR_EI_SHIFT)
        self.cr[CR_ISR] = isr if psr & PSR_IC else isr | ISR_NI
        if fault.ifa is not None:
            self.cr[CR_IFA] = fault.ifa
        if iim is not None:
            self.cr[CR_IIM] = iim
        dcr = self.cr[CR_DCR]
        self.set_psr((psr & PSR_KEPT_ON_INTERRUPTION) | (PSR_BE if dcr & 2 else 0) | (PSR_PP if dcr & 1 else 0))
        self.ip = (self.cr[CR_IVA] & ~0x7FFF) + fault.vector
        self.slot = 0
        return self.ip

    def rfi(self) -> None:
        """`rfi`: frame from cr.ifs when valid (fills happen before anything changes),
        then psr <- cr.ipsr and continue at cr.iip, slot ipsr.ri (facts §3.3)."""
        self.restore_frame_from_ifs()
        ipsr = self.cr[CR_IPSR]
        self.set_psr(ipsr & ~(3 << PSR_RI_SHIFT))  # psr.ri lives in `slot` while running
        self.ip = self.cr[CR_IIP] & ~0xF
        self.slot = (ipsr >> PSR_RI_SHIFT) & 3

    # ==================================================== stacked-register access ====
    def stacked_slot(self, addr: int) -> tuple[int, int]:
        """(value, nat) of the stacked register whose backing-store slot is `addr`,
        wherever it is now: the register file (dirty or current frame) or memory.
        Reads memory without permission checks (a debugger's view)."""
        if addr >= self.bspstore and addr < skip_regs(self.bsp, self.sof):
            if _slot(addr) == 0x3F:
                return self.rnat, 0
            self._store_view()
            if addr >= self.bsp:
                p = (self.bof + num_regs(self.bsp, addr)) % N_STACKED
            else:
                p = (self.bof - num_regs(addr, self.bsp)) % N_STACKED
            return self.phys[p], self.phys_nat[p]
        value = self.mem.peek8(addr)
        if value is None:
            raise GuestFault("data_tlb", ifa=addr, detail=f"backing store slot {addr:#x} unmapped")
        if _slot(addr) == 0x3F:
            return value, 0
        raddr = rnat_addr(addr)
        word = self.rnat if raddr >= self.bspstore else (self.mem.peek8(raddr) or 0)
        return value, (word >> _slot(addr)) & 1

    def invariants(self) -> list[str]:
        """Violated RSE invariants (empty when consistent); for tests and replay checks."""
        problems = []
        if num_regs(self.bspstore, self.bsp) != self.ndirty:
            problems.append(f"ndirty {self.ndirty} != num_regs(bspstore, bsp) {num_regs(self.bspstore, self.bsp)}")
        if self.nclean + self.ndirty + self.sof > N_STACKED:
            problems.append("partitions exceed the physical file")
        if min(self.nclean, self.ndirty) < 0:
            problems.append("negative partition")
        if _slot(self.bsp) == 0x3F:
            problems.append("bsp on an RNAT slot")
        if self.bof != (self.bof % N_STACKED):
            problems.append("bof out of range")
        return problems

    # ============================================================ unwinding =========
    def unwind_state(self) -> TopState:
        """The current frame as the unwinder's starting point (oopsy.ia64.unwind)."""
        gr = self.gr
        return TopState(
            ip=self.ip | self.slot, sp=gr[12], bsp=self.bsp, cfm=self.cfm,
            pfs=self.ar[AR_PFS], br=list(self.br), pr=self.read_pr(),
            gr=lambda n: gr[n] if n < 32 else None,
        )

    # ============================================================ identity ==========
    def state_hash(self, include_memory: bool = True) -> str:
        """Deterministic digest of the whole machine (registers, RSE, memory). Memory is
        most of the cost (about 5 ms per 4 MiB mapped); per-step checks may leave it out."""
        self._store_view()
        h = hashlib.blake2b(digest_size=16)
        words = []
        words += self.gr[:32]
        words += self.nat[:32]
        words += self.pr
        words += self.br
        words += self.ar
        words += self.cr
        words += self.rr
        words += self.other_bank
        words += self.other_bank_nat
        words += [self.psr, self.ip, self.slot, self.steps, self.cfm, self.bof, self.bsp,
                  self.bspstore, self.rnat, self.ndirty, self.nclean]
        words += self.phys
        words += self.phys_nat
        h.update(b"".join((w & MASK64).to_bytes(8, "little") for w in words))
        if include_memory:
            self.mem.digest_into(h)
        return h.hexdigest()

    def snapshot(self, include_memory: bool = False) -> dict:
        """A copy of every register and RSE field (and memory if asked), for checkpoints."""
        self._store_view()
        extra = {"memory": self.mem.snapshot()} if include_memory else {}
        return {
            **extra,
            "gr": list(self.gr), "nat": list(self.nat), "pr": list(self.pr), "br": list(self.br),
            "rr": list(self.rr),
            "ar": list(self.ar), "cr": list(self.cr), "phys": list(self.phys),
            "phys_nat": list(self.phys_nat), "other_bank": list(self.other_bank),
            "other_bank_nat": list(self.other_bank_nat),
            **{k: getattr(self, k) for k in _SCALARS},
        }

    def restore(self, snap: dict) -> None:
        for k in ("gr", "nat", "pr", "br", "rr", "ar", "cr", "phys", "phys_nat", "other_bank", "other_bank_nat"):
            getattr(self, k)[:] = snap[k]
        for k in _SCALARS:
            setattr(self, k, snap[k])
        if "memory" in snap:
            self.mem.restore(snap["memory"])
        self.mem.set_privilege(self.cpl)


class MachineFrameReader:
    """oopsy.ia64.unwind.FrameReader over a Machine: memory without permission checks,
    stacked registers through the RSE (spilled or still in the register file)."""

    def __init__(self, machine: Machine):
        self.machine = machine

    def read8(self, addr: int) -> int | None:
        return None if addr & 7 else self.machine.mem.peek8(addr)

    def read_stacked(self, addr: int) -> int | None:
        try:
            return self.machine.stacked_slot(addr)[0]
        except GuestFault:
            return None


_SCALARS = ("psr", "cpl", "ip", "slot", "steps", "sof", "sol", "sor", "rrb_gr", "rrb_fr",
            "rrb_pr", "bof", "bsp", "bspstore", "rnat", "ndirty", "nclean")
