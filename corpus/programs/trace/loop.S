// loop: a long-running user program for bench/trace.py. `iterations` rounds of: call
// deep(24) (24 frames of 4 locals: the RSE spills and fills), store and reload a
// counter-derived value in a 64-slot array; then exit(0). About 220 steps a round:
// bench/trace.py records it with --max-steps.
	.explicit
	.data
	.align 16
iterations: data8 1000000
array:	.skip 512
	.text
	.global _start
	.proc _start
_start:
	.prologue
	.save ar.pfs, r32
	alloc r32 = ar.pfs, 0, 4, 1, 0
	.body
	;;
	movl r14 = iterations
	movl r17 = array
	;;
	ld8 r33 = [r14]
	;;
1:	mov out0 = 24
	br.call.sptk.many b0 = deep
	;;
	and r15 = 63, r33
	;;
	shladd r16 = r15, 3, r17
	;;
	st8 [r16] = r33
	;;
	ld8 r18 = [r16]
	adds r33 = -1, r33
	;;
	cmp.ne p6, p7 = 0, r33
(p6)	br.cond.sptk.few 1b
	;;
	mov out0 = 0
	mov r15 = 1025			// exit
	;;
	break 0x100000
	;;
	.endp _start

	.proc deep
deep:
	.prologue
	.save ar.pfs, r35
	alloc r35 = ar.pfs, 1, 3, 1, 0
	.save rp, r34
	mov r34 = b0
	.body
	adds r33 = -1, r32
	;;
	cmp.eq p6, p7 = 0, r32
	;;
(p7)	mov r36 = r33
(p7)	br.call.sptk.many b0 = deep
	;;
	mov b0 = r34
	mov ar.pfs = r35
	;;
	br.ret.sptk.many b0
	.endp deep
