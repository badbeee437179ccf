// arith: integer ALU, shifts, deposit/extract, sign/zero extension and the semaphores.
// Results stay in static registers for the expected-registers check; exit code is the
// low byte of r23 (extr.u of the test pattern).
	.explicit
	.data
	.align 8
counter: data8 40
	.text
	.global _start
	.proc _start
_start:
	.prologue
	.save ar.pfs, r32
	alloc r32 = ar.pfs, 0, 8, 1, 0	// r33-r37 semaphore results, r38 ld.c, r39 brl.call
	.body
	movl r14 = 0x123456789abcdef0
	;;
	mov r15 = -5
	mov r29 = 4
	;;
	add r16 = r14, r15		// 0x123456789abcdeeb
	sub r17 = r15, r14
	shladd r18 = r15, 3, r14	// r14 + 8 * -5
	;;
	and r19 = 0x7f, r14		// A3 immediate form
	andcm r20 = r14, r16
	xor r21 = -1, r14
	;;
	or r22 = r15, r29
	extr.u r23 = r14, 8, 16		// 0xbcde
	extr r24 = r14, 4, 8		// 0xef sign-extended
	;;
	dep.z r25 = r15, 8, 12		// (-5 & 0xfff) << 8
	dep r26 = r14, r15, 16, 8	// r14's low byte into r15 at bit 16
	shrp r27 = r14, r15, 12
	;;
	shl r28 = r14, r29
	shr r30 = r15, r29
	shr.u r31 = r14, r29
	;;
	sxt1 r2 = r14
	zxt2 r3 = r15
	add r9 = r14, r15, 1
	;;
	sub r11 = r14, r15, 1
	addl r13 = 0x12345, r0
	adds r10 = -100, r14
	;;
	movl r8 = counter
	;;
	fetchadd8.acq r33 = [r8], 8	// r33 = 40, counter = 48
	;;
	mov ar.ccv = 48
	mov r35 = 99
	;;
	cmpxchg8.acq r34 = [r8], r35, ar.ccv	// equal: counter = 99, r34 = 48
	;;
	ld8 r35 = [r8]			// 99
	;;
	xchg8 r36 = [r8], r29		// r36 = 99, counter = 4
	;;
	ld8 r37 = [r8]			// 4
	;;
	ld8.c.clr r38 = [r8]		// the ALAT always misses: ld.c reloads, 4
	brl.call.sptk.many b6 = far_function	// long call: b6 = the next bundle
	;;
	mov r39 = r8			// far_function's 0x5151
	brl.sptk.few .Lfar		// long branch over the bundle below
	;;
	mov r39 = 0			// skipped
	;;
.Lfar:
	mov out0 = r23
	mov r15 = 1025
	;;
	break 0x100000
	;;
	.endp _start

	.proc far_function
far_function:
	.prologue
	.body
	mov r8 = 0x5151
	br.ret.sptk.many b6
	;;
	.endp far_function
