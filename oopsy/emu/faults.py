"""Guest faults: interruptions the emulated program takes, never Python errors.

A `GuestFault` carries what the hardware would collect into the control registers when
the interruption is delivered: the IVT vector offset, cr.ifa (faulting data or
instruction address) and cr.isr (access kind bits and, once the executor knows which
instruction slot faulted, ei). ISR bit numbers are Linux kregs.h's (facts §5).
"""

from __future__ import annotations

# facts §5: cr.isr bits (kregs.h IA64_ISR_*_BIT; ei 41-42, ed 43)
ISR_X = 1 << 32
ISR_W = 1 << 33
ISR_R = 1 << 34
ISR_NA = 1 << 35
ISR_SP = 1 << 36
ISR_RS = 1 << 37
ISR_IR = 1 << 38
ISR_NI = 1 << 39
ISR_EI_SHIFT = 41
ISR_ED = 1 << 43

# IVT offsets (Itanium SDM vol. 2, "Interruption Vector Table"); only the ones the
# emulator raises are named here.
VECTORS = {
    "instruction_tlb": 0x0400,
    "data_tlb": 0x0800,
    "break": 0x2C00,
    "instruction_access_rights": 0x5200,
    "data_access_rights": 0x5300,
    "general_exception": 0x5400,
    "nat_consumption": 0x5600,
    "unaligned_reference": 0x5A00,
}

# General Exception codes, in ISR.code bits 4-7 (facts §1.3, ia64_fault's reason table).
GE_ILLEGAL_OPERATION = 0x00
GE_PRIVILEGED_OPERATION = 0x10
GE_PRIVILEGED_REGISTER = 0x20
GE_RESERVED_REGISTER_FIELD = 0x30


class GuestFault(Exception):
    """An interruption raised by an emulated access or instruction.

    `kind` names the vector (a key of VECTORS); `ifa` is None for faults that do not
    write cr.ifa. `detail` is a short human explanation for logs and the trace.
    """

    def __init__(self, kind: str, *, ifa: int | None = None, isr: int = 0, detail: str = ""):
        super().__init__(detail or kind)
        self.kind = kind
        self.vector = VECTORS[kind]
        self.ifa = ifa
        self.isr = isr
        self.detail = detail

    def at_slot(self, slot: int) -> GuestFault:
        """Record the excepting instruction's slot in ISR.ei (facts §5) and return self."""
        self.isr = (self.isr & ~(3 << ISR_EI_SHIFT)) | ((slot & 3) << ISR_EI_SHIFT)
        return self

    def __repr__(self) -> str:
        ifa = "-" if self.ifa is None else f"{self.ifa:#018x}"
        return f"GuestFault({self.kind}, vector={self.vector:#06x}, ifa={ifa}, isr={self.isr:#x})"


def illegal_operation(detail: str) -> GuestFault:
    """General Exception, Illegal Operation fault (ISR.code 0)."""
    return GuestFault("general_exception", isr=GE_ILLEGAL_OPERATION, detail=detail)


def reserved_register_field(detail: str) -> GuestFault:
    """General Exception, Reserved Register/Field fault (ISR.code 0x30)."""
    return GuestFault("general_exception", isr=GE_RESERVED_REGISTER_FIELD, detail=detail)
