// kernel_chain: a value whose provenance is known by construction, for `oopsy why`.
// (kernel-mode image: linked in region 5, starts at cpl 0; the final NULL-page load
// dies with an oops.)
//
//   movl r14 = 0xdead0000bee8        immediate
//   mov r15 = r14                    register copy
//   adds r16 = 8, r15                ALU result: 0xdead0000bef0
//   st8 [slot] = r16                 store
//   ld8 r33 = [slot]                 load into a stacked local of _start
//   br.call deep(40)                 40 frames of 4 locals: the RSE spills _start's r33
//   (returns)                        br.ret fills r33 back from the backing store
//   mov r18 = r33                    register copy
//   ld8 r19 = [r18]                  data TLB fault at 0xdead0000bef0 -> oops
//
// Before that, `poison` stores 0xaaaaaaaaaaaaaaaa into pad[0..3] (for `first
// --pattern`) with a counted loop (ar.lc), and `deep` has predicated-off slots.
	.explicit
	.data
	.align 16
slot:	data8 0
pad:	data8 0, 0, 0, 0
	.text
	.global _start
	.proc _start
_start:
	.prologue
	.save ar.pfs, r32
	alloc r32 = ar.pfs, 0, 4, 1, 0
	.save rp, r34
	mov r34 = b0
	.body
	;;
	br.call.sptk.many b0 = poison
	;;
	movl r14 = 0xdead0000bee8
	;;
	mov r15 = r14
	;;
	adds r16 = 8, r15
	movl r17 = slot
	;;
	st8 [r17] = r16
	;;
	ld8 r33 = [r17]
	mov out0 = 40
	;;
	br.call.sptk.many b0 = deep
	;;
	mov r18 = r33
	;;
	ld8 r19 = [r18]
	;;
	mov b0 = r34
	mov ar.pfs = r32
	;;
	br.ret.sptk.many b0
	.endp _start

	.proc poison
poison:
	.prologue
	.body
	movl r8 = 0xaaaaaaaaaaaaaaaa
	movl r9 = pad
	mov r10 = ar.lc
	mov ar.lc = 3
	;;
1:	st8 [r9] = r8, 8
	br.cloop.sptk.few 1b
	;;
	mov ar.lc = r10
	br.ret.sptk.many b0
	.endp poison

	.proc deep
deep:
	.prologue
	.save ar.pfs, r35
	alloc r35 = ar.pfs, 1, 3, 1, 0
	.save rp, r34
	mov r34 = b0
	.body
	;;
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
