// recursion: sum(n) = n + sum(n - 1) through 300 nested calls. Every frame keeps 5
// stacked registers (in0, ar.pfs, b0, n, a pad), so the 96-register file overflows
// and the RSE spills to the backing store on the way down and fills on the way up.
// bench_start runs the same recursion 100 times (bench/emulate.py).
	.explicit
	.text
	.global _start
	.proc _start
_start:
	.prologue
	.save ar.pfs, r32
	alloc r32 = ar.pfs, 0, 1, 1, 0
	.body
	;;
	mov out0 = 300
	br.call.sptk.many b0 = sum
	;;
	mov r14 = r8			// 45150
	mov r16 = ar.bsp
	mov out0 = r8			// exit code 45150 & 0xff = 94
	mov r15 = 1025
	;;
	break 0x100000
	;;
	.endp _start

	.global bench_start
	.proc bench_start
bench_start:
	.prologue
	.save ar.pfs, r32
	alloc r32 = ar.pfs, 0, 1, 1, 0
	.body
	;;
	mov ar.lc = 99
	;;
.Lagain:
	mov out0 = 300
	br.call.sptk.many b0 = sum
	;;
	br.cloop.sptk.few .Lagain
	;;
	mov out0 = r8
	mov r15 = 1025
	;;
	break 0x100000
	;;
	.endp bench_start

	.global sum
	.proc sum
sum:
	.prologue
	.save ar.pfs, r33
	alloc r33 = ar.pfs, 1, 4, 1, 0	// in0 r32; r33 pfs, r34 b0, r35 n, r36 pad; out0 r37
	.save rp, r34
	mov r34 = b0
	.body
	cmp.eq p6, p7 = 0, r32
	;;
(p6)	mov r8 = 0
(p6)	br.cond.spnt.few .Ldone
	;;
	adds out0 = -1, r32
	mov r35 = r32
	mov r36 = 0
	br.call.sptk.many b0 = sum
	;;
	add r8 = r8, r35
	;;
.Ldone:
	mov ar.pfs = r33
	mov b0 = r34
	;;
	br.ret.sptk.many b0
	;;
	.endp sum
