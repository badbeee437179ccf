// kernel_ivt: a kernel-mode image that installs its own interruption vector table
// (cr.iva) and takes two interruptions through it: a `break 0x1234` (vector 0x2c00)
// and a load from an unmapped address (Data TLB, vector 0x0800). Each handler reads
// the collected cr.iip/ipsr/isr/ifa/iim, covers the interrupted frame (cr.ifs), steps
// the saved ip past the faulting slot (as Linux ivt.S does: ri + 1, or the next bundle
// after slot 2) and returns with rfi, which restores psr and the covered frame. At the
// end the vector table is removed and `break 0` (BUG()) ends the run with the oops.
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
	;;
	srlz.i
	;;
	break.m 0x1234			// -> break vector; resumes at the next slot
	adds r20 = 1, r20
	;;
	movl r15 = 0x40
	;;
	ld8 r16 = [r15]			// -> data TLB vector: the handler sets r16 = 0x77
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
	mov r23 = cr.ifa
	mov r24 = cr.isr
	mov r16 = 0x77
	;;
	br.sptk.few skip_slot
	;;
	.org ivt + 0x2c00		// Break instruction
	mov r17 = cr.iim
	mov r18 = cr.iip
	mov r19 = cr.ipsr
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
	mov r25 = cr.ifs
	mov r26 = cr.iip
	mov r27 = cr.ipsr
	;;
	extr.u r28 = r27, 41, 2		// ri
	;;
	cmp.eq p6, p7 = 2, r28
	;;
(p6)	adds r26 = 16, r26
(p6)	mov r28 = 0
(p7)	adds r28 = 1, r28
	;;
	dep r27 = r28, r27, 41, 2
	mov cr.iip = r26
	;;
	mov cr.ipsr = r27
	;;
	rfi
	;;
