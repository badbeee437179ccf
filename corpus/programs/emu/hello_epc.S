// hello_epc: the same as hello, but the system calls go through the gate page the way
// glibc does with __kernel_syscall_via_epc (facts §4.1): find AT_SYSINFO in the auxiliary
// vector above argv/envp, then `br.call b6=b7` into the gate, which does `epc` (promote
// to cpl 0), the syscall, and `br.ret b6` back to cpl 3.
	.explicit
	.data
msg:	.ascii "Hello via epc!\n"
msg_end:
	.text
	.global _start
	.proc _start
_start:
	.prologue
	.save ar.pfs, r32
	alloc r32 = ar.pfs, 0, 4, 3, 0	// r33 sysinfo, r34 cursor, r35 scratch; out0-2 r36-r38
	.body
	adds r34 = 16, r12		// argc sits above the 16-byte scratch area
	mov r33 = 0
	;;
	ld8 r35 = [r34], 8		// argc; r34 -> argv[0]
	;;
	shladd r34 = r35, 3, r34	// skip the argv pointers
	;;
	adds r34 = 8, r34		// and argv's NULL
	;;
.Lenv:	ld8 r35 = [r34], 8
	;;
	cmp.ne p6, p0 = 0, r35
(p6)	br.cond.sptk.few .Lenv		// envp entries up to their NULL
	;;
.Laux:	ld8 r35 = [r34], 8		// a_type
	;;
	ld8 r36 = [r34], 8		// a_val
	cmp.eq p6, p0 = 32, r35		// AT_SYSINFO
	cmp.eq p7, p0 = 0, r35		// AT_NULL
	;;
(p6)	mov r33 = r36
(p7)	br.cond.spnt.few .Lfound
(p6)	br.cond.sptk.few .Lfound
	br.cond.sptk.few .Laux
	;;
.Lfound:
	mov b7 = r33
	mov out0 = 1
	movl out1 = msg
	;;
	mov out2 = msg_end - msg
	mov r15 = 1027			// write
	br.call.sptk.many b6 = b7
	;;
	mov r16 = r8			// bytes written
	mov r17 = r10			// 0: success
	mov out0 = 3
	mov r15 = 1025			// exit(3)
	br.call.sptk.many b6 = b7
	;;
	.endp _start
