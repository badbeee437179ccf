// util.S: helpers in a second compilation unit, a static function and a label without size.
	.text
	.align 32
	.proc copy_word
copy_word:
	.prologue
	.body
	ld8 r8 = [r32]
	;;
	st8 [r33] = r8
	br.ret.sptk.many b0
	.endp copy_word

	.global do_exit
	.proc do_exit
do_exit:
	.prologue
	.save ar.pfs, r34
	alloc r34 = ar.pfs, 2, 3, 2, 0
	.save rp, r33
	mov r33 = b0
	.body
	;;
	mov r35 = r32
	mov r36 = r33
	;;
	br.call.sptk.many b0 = copy_word
	;;
	movl r8 = 0x6b6b6b6b6b6b6b6b
	;;
	mov ar.pfs = r34
	mov b0 = r33
	br.ret.sptk.many b0
	.endp do_exit

	.global ia64_leave_kernel
ia64_leave_kernel:
	nop.m 0
	nop.i 0
	;;
	rfi
	;;
