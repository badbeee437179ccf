// hello: write(1, msg, len) and exit(0) through `break 0x100000` (facts §4.1):
// r15 = syscall number, arguments in the output registers, result in r8 / r10.
	.explicit
	.data
msg:	.ascii "Hello from ia64!\n"
msg_end:
	.text
	.global _start
	.proc _start
_start:
	.prologue
	.save ar.pfs, r32
	alloc r32 = ar.pfs, 0, 1, 3, 0
	.body
	mov out0 = 1
	movl out1 = msg
	;;
	mov out2 = msg_end - msg
	mov r15 = 1027			// write
	;;
	break 0x100000
	;;
	mov r16 = r8			// bytes written
	mov r17 = r10			// 0: success
	mov out0 = 0
	mov r15 = 1025			// exit
	;;
	break 0x100000
	;;
	.endp _start
