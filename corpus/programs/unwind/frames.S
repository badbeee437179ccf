// Unwind-table fixture: functions whose prologues gas describes in .IA_64.unwind_info.
// readelf -u is the oracle for oopsy/ia64/unwind_info.py; the unwinder tests build
// machine states over these functions' code addresses.
	.explicit
	.text
	.global _start
	.proc _start
_start:
	.prologue
	.save ar.pfs, r34
	alloc r34 = ar.pfs, 0, 3, 1, 0
	.save rp, r33
	mov r33 = b0
	.fframe 32
	adds r12 = -32, r12
	;;
	.body
	mov r35 = 7
	br.call.sptk.many b0 = outer
	;;
	mov r15 = 1025
	break 0x100000
	;;
	.restore sp
	adds r12 = 32, r12
	mov ar.pfs = r34
	mov b0 = r33
	br.ret.sptk.many b0
	.endp _start

// R2 form: rp and ar.pfs saved in consecutive registers (rp first), 64-byte frame.
	.global outer
	.proc outer
outer:
	.prologue 12, 33
	alloc r34 = ar.pfs, 1, 3, 1, 0
	mov r33 = b0
	.fframe 64
	adds r12 = -64, r12
	;;
	.body
	adds r35 = 1, r32
	br.call.sptk.many b0 = middle
	;;
	.restore sp
	adds r12 = 64, r12
	mov ar.pfs = r34
	mov b0 = r33
	br.ret.sptk.many b0
	.endp outer

// Memory saves: rp and ar.pfs spilled sp-relative in a 48-byte frame, ar.unat and pr
// kept in registers, two body regions with label_state/copy_state.
	.global middle
	.proc middle
middle:
	.prologue
	.save ar.pfs, r36
	alloc r36 = ar.pfs, 1, 5, 1, 0
	.fframe 48
	adds r12 = -48, r12
	mov r37 = b0
	;;
	.savesp rp, 16
	adds r2 = 16, r12
	;;
	st8 [r2] = r37
	.save ar.unat, r38
	mov r38 = ar.unat
	.save pr, r39
	mov r39 = pr
	;;
	.body
	.label_state 1
	adds r40 = 2, r32
	br.call.sptk.many b0 = leaf
	;;
	.restore sp
	mov pr = r39, -1
	adds r12 = 48, r12
	mov ar.pfs = r36
	mov b0 = r37
	br.ret.sptk.many b0
	.body
	.copy_state 1
	mov r8 = r0
	;;
	br.ret.sptk.many b0
	.endp middle

// psp-relative saves with a variable frame (.vframe): the previous sp lives in r35.
	.global vframe
	.proc vframe
vframe:
	.prologue
	.save ar.pfs, r33
	alloc r33 = ar.pfs, 1, 4, 0, 0
	.vframe r35
	mov r35 = r12
	adds r12 = -128, r12
	;;
	.savepsp rp, 8
	adds r2 = -8, r35
	mov r34 = b0
	;;
	st8 [r2] = r34
	;;
	.body
	mov r36 = r0
	;;
	.restore sp
	mov r12 = r35
	mov ar.pfs = r33
	br.ret.sptk.many b0
	.endp vframe

// A leaf with an explicit empty prologue (no saves, no frame).
	.global leaf
	.proc leaf
leaf:
	.prologue
	.body
	adds r8 = 1, r32
	br.ret.sptk.many b0
	.endp leaf

// No .proc at all: no unwind table entry.
	.global bare
bare:
	adds r8 = 2, r32
	br.ret.sptk.many b0

// An interruption frame as Linux's entry code describes it (PT_REGS_UNWIND_INFO):
// .unwabi 3,'i' (Linux's interrupt-frame marker), a pt_regs-sized frame, rp/ar.pfs/pr spilled sp-relative into it.
	.global intr
	.proc intr
intr:
	.prologue
	.unwabi 3, 'i'
	.fframe 464
	.spillsp rp, 0x48+16
	.spillsp ar.pfs, 0x50+16
	.spillsp ar.unat, 0x58+16
	.spillsp pr, 0x80+16
	.body
	nop.m 0
	nop.i 0
	br.ret.sptk.many b0
	.endp intr

// Preserved-register spills gas encodes as X records, plus ar.lc saved in a register.
	.global spiller
	.proc spiller
spiller:
	.prologue
	.save ar.pfs, r35
	alloc r35 = ar.pfs, 0, 6, 0, 0
	.save ar.lc, r36
	mov r36 = ar.lc
	.spillreg r4, r37
	mov r37 = r4
	.spillreg.p p6, r5, r38
(p6)	mov r38 = r5
	;;
	.body
	mov ar.lc = r36
	mov ar.pfs = r35
	br.ret.sptk.many b0
	.endp spiller

	.data
	.global counter
counter:
	data8 0x1122334455667788

// A function with a personality routine and handler data: the EHANDLER/UHANDLER flags.
	.text
	.global handled
	.proc handled
handled:
	.prologue
	.personality bare
	.save ar.pfs, r33
	alloc r33 = ar.pfs, 0, 2, 0, 0
	;;
	.body
	mov ar.pfs = r33
	br.ret.sptk.many b0
	.handlerdata
	data8 0x55
	.endp handled
