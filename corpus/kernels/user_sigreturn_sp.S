// sigreturn-sp: the task returns from a signal handler: its memory stack holds the
// sigframe (sc_mask at sp + 16 + 0x28) and it calls rt_sigreturn. The traced kernel
// prints the stack_pointer PTRACE_GET_SYSCALL_INFO reports and the sc_mask a tracer
// finds there (facts §4.3 (c)).
	.explicit
	.section .utext, "ax"
	.global user_main
user_main:
	alloc r32 = ar.pfs, 0, 2, 1, 0
	adds r12 = -0x60, r12		// the sigframe
	mov r14 = 0x4000		// blocked: SIGTERM (bit 14)
	;;
	adds r15 = 16 + 0x28, r12
	;;
	st8 [r15] = r14
	mov r15 = 1181			// rt_sigreturn
	;;
	break 0x100000
	;;
	mov r34 = 0
	mov r15 = 1025			// exit(0)
	;;
	break 0x100000
	;;
