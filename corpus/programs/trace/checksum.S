// checksum: a straight-line-heavy loop for bench/trace.py (the instruction mix of a
// kernel checksum or copy routine, unlike loop.S's call-every-8-steps recursion):
// 64 rounds of ld8 / add / shl / xor / st8 over a 512-byte buffer with a counted loop
// (ar.lc), then one call to a leaf function; forever (record it with --max-steps).
	.explicit
	.data
	.align 16
src:	.rept 64
	data8 0x0123456789abcdef
	.endr
dst:	.skip 512
	.text
	.global _start
	.proc _start
_start:
	.prologue
	.save ar.pfs, r32
	alloc r32 = ar.pfs, 0, 2, 1, 0
	.body
	mov r21 = 0
	mov r30 = 0
	;;
1:	movl r16 = src
	movl r17 = dst
	mov ar.lc = 63
	;;
2:	ld8 r20 = [r16], 8
	;;
	add r21 = r21, r20
	;;
	shl r22 = r21, 3
	;;
	xor r21 = r21, r22
	;;
	st8 [r17] = r21, 8
	br.cloop.sptk.few 2b
	;;
	mov out0 = r21
	br.call.sptk.many b0 = fold
	;;
	mov r21 = r8
	adds r30 = 1, r30
	br.cond.sptk.few 1b
	;;
	.endp _start

	.proc fold
fold:
	.prologue
	.body
	extr.u r8 = r32, 17, 47
	;;
	xor r8 = r8, r32
	br.ret.sptk.many b0
	;;
	.endp fold
