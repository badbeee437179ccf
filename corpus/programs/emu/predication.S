// predication: compares of every type (normal, unc, and, or, or.andcm; cmp4; ltu),
// tbit and tnat, NaT propagation from a deferred speculative load, chk.s recovery,
// and the ALAT as "always miss" (chk.a always takes its recovery branch).
	.explicit
	.data
	.align 8
value:	data8 0x1234
	.text
	.global _start
	.proc _start
_start:
	.prologue
	.save ar.pfs, r32
	alloc r32 = ar.pfs, 0, 1, 1, 0
	.body
	mov r14 = 5
	mov r15 = -3
	;;
	cmp.lt p6, p7 = r15, r14	// signed: p6 = 1, p7 = 0
	cmp.ltu p8, p9 = r15, r14	// unsigned: p8 = 0, p9 = 1
	cmp4.lt p10, p11 = r15, r14	// 32-bit signed: p10 = 1
	;;
(p6)	mov r16 = 1
(p7)	mov r16 = 2			// predicated off
	cmp.eq p12, p13 = r0, r0	// p12 = 1, p13 = 0
	;;
(p7)	cmp.eq.unc p12, p13 = r14, r14	// qp false: .unc clears both
	cmp.eq p1, p2 = r0, r0		// p1 = 1, p2 = 0
	cmp.eq p3, p4 = r0, r14		// p3 = 0, p4 = 1
	;;
	cmp.eq.and p1, p2 = r14, r15	// false: both cleared
	cmp.ne.or p3, p4 = r14, r15	// true: both set
	;;
	cmp.eq.or.andcm p5, p4 = r14, r14	// true: p5 = 1, p4 = 0
	tbit.z p14, p15 = r14, 0	// bit 0 of 5 is set: p14 = 0, p15 = 1
	;;
	mov r17 = 0x100
	;;
	ld8.s r18 = [r17]		// unmapped: the fault is deferred, r18 = NaT
	;;
	tnat.nz p6, p7 = r18		// p6 = 1, p7 = 0
	add r19 = r18, r14		// NaT propagates
	;;
	cmp.eq p8, p9 = r19, r14	// a NaT source clears both targets
	chk.s r19, .Lrecover
	;;
.Lback:
	movl r23 = value
	;;
	ld8.a r22 = [r23]
	;;
	chk.a.clr r22, .Lreload		// the ALAT always misses here
	;;
.Lback2:
	mov r21 = pr
	mov out0 = r20
	mov r15 = 1025
	;;
	break 0x100000
	;;
.Lrecover:
	mov r20 = 7			// the recovery code ran
	mov r19 = r14			// a plain mov clears the NaT
	br.cond.sptk.few .Lback
	;;
.Lreload:
	adds r24 = 1, r0
	ld8 r22 = [r23]
	br.cond.sptk.few .Lback2
	;;
	.endp _start
