// syscall-error: chdir() of a missing path fails with ENOENT; the traced kernel prints
// the exit half of PTRACE_GET_SYSCALL_INFO (rval, is_error; facts §4.3 (a)). The task
// itself sees r8 = 2, r10 = -1 and exits with the errno.
	.explicit
	.section .udata, "aw"
path:	.asciz "/nonexistent"

	.section .utext, "ax"
	.global user_main
user_main:
	alloc r32 = ar.pfs, 0, 2, 1, 0
	movl r34 = path
	mov r15 = 1034			// chdir
	;;
	break 0x100000
	;;
	cmp.eq p6, p0 = -1, r10
	mov r34 = 0
	;;
(p6)	mov r34 = r8			// exit(errno)
	mov r15 = 1025
	;;
	break 0x100000
	;;
