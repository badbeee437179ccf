// syscall-args: the same system call made twice, through the gate page (epc) and
// through a glibc-style syscall() wrapper (break). The traced kernel prints what
// PTRACE_GET_SYSCALL_INFO would report for each (facts §4.1, §4.3 (b)).
	.explicit
	.section .udata, "aw"
path:	.asciz "/nonexistent"

	.section .utext, "ax"
	.global user_main
user_main:
	alloc r32 = ar.pfs, 0, 2, 8, 0
	mov r15 = 1034			// 0x40a
	movl r34 = path
	movl r35 = 0xbad1fed1
	movl r36 = 0xbad2fed2
	movl r37 = 0xbad3fed3
	movl r38 = 0xbad4fed4
	movl r39 = 0xbad5fed5
	movl r14 = __kernel_syscall_via_epc
	;;
	mov b7 = r14
	;;
	br.call.sptk.many b6 = b7	// epc path: the gate's frame has no locals
	;;
	mov r34 = 1034			// syscall(0x40a, path, 0xbad1fed1, ...)
	movl r35 = path
	movl r36 = 0xbad1fed1
	movl r37 = 0xbad2fed2
	movl r38 = 0xbad3fed3
	movl r39 = 0xbad4fed4
	movl r40 = 0xbad5fed5
	br.call.sptk.many b0 = syscall
	;;
	mov r34 = 0
	mov r15 = 1025			// exit(0)
	;;
	break 0x100000
	;;

// glibc's syscall() (quoted in facts §4.1): out0..out6 = NR, arg1..arg6
	.global syscall
syscall:
	alloc r2 = ar.pfs, 1, 0, 8, 0
	mov r15 = r32			// syscall number
	;;
	break 0x100000
	;;
	cmp.ne p6, p0 = -1, r10		// r10 = -1 on error
(p6)	br.ret.sptk.many b0
	;;
	br.ret.sptk.many b0		// __syscall_error: errno is not kept here
	;;
