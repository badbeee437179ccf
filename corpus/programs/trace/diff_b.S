// diff_b: one of two builds of the same program for `oopsy diff` (diff_a sets
// r14 = 5, diff_b r14 = 6; everything else is identical). Also a syscall result
// (write's r8) that `oopsy why` must name: exit code = r8 + r14.
	.explicit
	.data
msg:	.ascii "hi\n"
	.text
	.global _start
	.proc _start
_start:
	.prologue
	.save ar.pfs, r32
	alloc r32 = ar.pfs, 0, 1, 3, 0
	.body
	;;
	mov out0 = 1
	movl out1 = msg
	;;
	mov out2 = 3
	mov r15 = 1027			// write
	;;
	break 0x100000
	;;
	mov r16 = r8			// bytes written
	mov r14 = 6
	;;
	add r17 = r16, r14
	;;
	mov out0 = r17
	mov r15 = 1025			// exit
	;;
	break 0x100000
	;;
	.endp _start
