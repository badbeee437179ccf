// segv: a user-mode load from an unmapped address; Linux would send SIGSEGV.
	.explicit
	.text
	.global _start
	.proc _start
_start:
	.prologue
	.body
	mov r14 = 8
	;;
	ld8 r15 = [r14]
	;;
	mov r15 = 1025
	break 0x100000
	;;
	.endp _start
