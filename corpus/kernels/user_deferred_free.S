// deferred-free: the seed's strace killer, minimised (socket, SO_ATTACH_FILTER, close,
// exit); the filter's release runs later from the idle loop (call_rcu).
	.explicit
	.section .udata, "aw"
	.align 8
bpf_filter:	data8 0x0000000000000006	// BPF_STMT(BPF_RET|BPF_K, 0)
prog:		data8 1, bpf_filter		// struct sock_fprog { .len = 1, .filter }

	.section .utext, "ax"
	.global user_main
user_main:
	alloc r32 = ar.pfs, 0, 2, 5, 0
	mov r34 = 2			// AF_INET
	mov r35 = 2			// SOCK_DGRAM
	mov r36 = 0
	mov r15 = 1190			// socket
	;;
	break 0x100000
	;;
	mov r33 = r8			// fd
	mov r34 = r8
	mov r35 = 1			// SOL_SOCKET
	mov r36 = 26			// SO_ATTACH_FILTER
	movl r37 = prog
	mov r38 = 16			// sizeof(prog)
	mov r15 = 1203			// setsockopt
	;;
	break 0x100000
	;;
	mov r34 = r33
	mov r15 = 1029			// close
	;;
	break 0x100000
	;;
	mov r34 = 0
	mov r15 = 1025			// exit(0)
	;;
	break 0x100000
	;;
