// loops: a counted loop with br.cloop (sum 1..100 = 5050), then a software-pipelined
// loop with br.ctop over rotating registers and predicates: p16 stage loads arr[i]
// into r32, two rotations later the p18 stage adds it (r34) to the sum (385 = sum of
// the squares 1..100 stored in arr).
	.explicit
	.data
	.align 8
arr:	data8 1, 4, 9, 16, 25, 36, 49, 64, 81, 100
	.text
	.global _start
	.proc _start
_start:
	.prologue
	.save ar.pfs, r40
	alloc r40 = ar.pfs, 0, 9, 1, 8	// r32-r39 rotate; out0 = r41
	.body
	mov r14 = 0
	mov r15 = 1
	mov ar.lc = 99
	;;
.Lcount:
	add r14 = r14, r15
	adds r15 = 1, r15
	br.cloop.sptk.few .Lcount
	;;
	movl r16 = arr
	mov r17 = 0
	mov ar.lc = 9			// 10 iterations
	;;
	mov ar.ec = 3			// 3 stages: 2 more trips drain the pipeline
	mov pr.rot = 0x10000		// p16 = 1, p17-p63 = 0
	;;
.Lpipe:
(p16)	ld8 r32 = [r16], 8
(p18)	add r17 = r17, r34
	br.ctop.sptk.few .Lpipe
	;;
	mov r18 = ar.lc
	mov r19 = ar.ec
	mov r20 = pr
	;;
	add out0 = r14, r17		// 5435 & 0xff = 0x3b
	mov r15 = 1025
	;;
	break 0x100000
	;;
	.endp _start

// bench_loops (bench/emulate.py): 200000 trips of a 2-bundle br.cloop loop of ALU work,
// 6 steps per trip.
	.global bench_loops
	.proc bench_loops
bench_loops:
	.prologue
	.save ar.pfs, r40
	alloc r40 = ar.pfs, 0, 9, 1, 8
	.body
	movl r14 = 200000 - 1
	;;
	mov ar.lc = r14
	mov r15 = 0
	mov r16 = 1
	;;
.Lbench:
	add r15 = r15, r16
	xor r17 = r19, r16
	adds r16 = 3, r16
	;;
	shladd r18 = r17, 2, r15
	and r19 = r15, r17
	br.cloop.sptk.few .Lbench
	;;
	mov out0 = r15
	mov r15 = 1025
	;;
	break 0x100000
	;;
	.endp bench_loops

// bench_memory (bench/emulate.py): 100000 trips of a load / compare / store loop that
// walks a 64-word ring in .bss with a predicated conditional branch (no loop counter).
	.global bench_memory
	.proc bench_memory
bench_memory:
	.prologue
	.save ar.pfs, r40
	alloc r40 = ar.pfs, 0, 9, 1, 0
	.body
	movl r14 = ring
	movl r15 = 100000
	;;
	mov r16 = 0			// trip counter
	mov r17 = 0			// checksum
	mov r18 = r14			// cursor
	;;
.Lmem:
	ld8 r19 = [r18]
	adds r16 = 1, r16
	extr.u r20 = r17, 3, 6		// a word index from the checksum
	;;
	add r17 = r17, r19
	shladd r21 = r20, 3, r14
	cmp.lt p6, p7 = r16, r15
	;;
	st8 [r21] = r16
	adds r18 = 8, r21
(p6)	br.cond.dptk.few .Lmem
	;;
	mov out0 = r17
	mov r15 = 1025
	;;
	break 0x100000
	;;
	.endp bench_memory

	.bss
	.align 16
ring:	.skip 8 * 66
