// kernel_ivt: a kernel-mode image that installs its own interruption vector table
// (cr.iva) and takes two interruptions through it: a `break 0x1234` (vector 0x2c00)
// and a load from an unmapped address (Data TLB, vector 0x0800). Each handler reads
// the collected cr.iip/ipsr/isr/ifa/iim, covers the interrupted frame (cr.ifs), steps
// the saved ip past the faulting slot (as Linux ivt.S does: ri + 1, or the next bundle
// after slot 2) and returns with rfi, which restores psr and the covered frame. The
// handlers run on register bank 0 (an interruption clears psr.bn): their scratch
// r16-r31 are not the interrupted code's, so results travel in r2, r3, r8-r11, r14.
// At the end the vector table is removed and `break 0` (BUG()) ends the run with the
// oops.
	.explicit
	.text
	.global start_kernel
	.proc start_kernel
start_kernel:
	.prologue
	.save ar.pfs, r32
	alloc r32 = ar.pfs, 0, 3, 0, 0
	.body
	movl r14 = ivt
	mov r33 = 0x333
	mov r34 = 0x444
	;;
	mov cr.iva = r14
	mov r20 = 0
	mov r16 = 0x1616		// bank 1: the handlers' r16 is another register
	;;
	srlz.i
	;;
	break.m 0x1234			// -> break vector; resumes at the next slot
	adds r20 = 1, r20
	;;
	movl r15 = 0x40
	;;
	ld8 r14 = [r15]			// -> data TLB vector: the handler sets r14 = 0x77
	adds r20 = 2, r20
	;;
	mov r21 = r33			// the covered frame came back through rfi
	mov r22 = r34
	mov cr.iva = r0
	;;
	break.m 0			// no vector table: BUG() -> "bugcheck!" oops
	;;
	.endp start_kernel

	.align 32768
ivt:
	.org ivt + 0x0800		// Data TLB
	mov r11 = cr.ifa
	mov r3 = cr.isr
	mov r14 = 0x77
	;;
	br.sptk.few skip_slot
	;;
	.org ivt + 0x2c00		// Break instruction
	mov r8 = cr.iim
	mov r9 = cr.iip
	mov r10 = cr.ipsr
	;;
	br.sptk.few skip_slot
	;;
	.org ivt + 0x5400		// General Exception: not expected
	break.m 0
	;;
	.org ivt + 0x8000

skip_slot:
	cover				// psr.ic is 0 here: cr.ifs <- the interrupted CFM
	;;
	mov r2 = cr.ifs
	mov r17 = cr.iip
	mov r18 = cr.ipsr
	mov r16 = 0x1600		// bank 0
	;;
	extr.u r19 = r18, 41, 2		// ri
	;;
	cmp.eq p6, p7 = 2, r19
	;;
(p6)	adds r17 = 16, r17
(p6)	mov r19 = 0
(p7)	adds r19 = 1, r19
	;;
	dep r18 = r19, r18, 41, 2
	mov cr.iip = r17
	;;
	mov cr.ipsr = r18
	;;
	rfi
	;;
