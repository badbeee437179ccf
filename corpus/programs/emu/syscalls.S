// syscalls: the Linux ABI the emulator provides (facts §4.1): getpid; brk(0), then
// brk(+64 KiB) and a store/load in the new heap; an anonymous mmap with a store/load;
// an unknown number (open = 1028) gives ENOSYS with r10 = -1; write to a bad fd gives
// EBADF; write from an unmapped buffer gives EFAULT; exit_group(5).
	.explicit
	.text
	.global _start
	.proc _start
_start:
	.prologue
	.save ar.pfs, r32
	alloc r32 = ar.pfs, 0, 1, 6, 0	// out0-out5 = r33-r38
	.body
	mov r15 = 1041			// getpid
	;;
	break 0x100000
	;;
	mov r16 = r8			// 1
	mov out0 = 0
	mov r15 = 1060			// brk(0)
	;;
	break 0x100000
	;;
	mov r17 = r8			// the initial break
	movl r14 = 0x10000
	;;
	add out0 = r8, r14
	mov r15 = 1060			// brk(break + 64 KiB)
	;;
	break 0x100000
	;;
	mov r18 = r8
	adds r2 = -8, r8		// the last word of the new heap
	movl r3 = 0x1122334455667788
	;;
	st8 [r2] = r3
	;;
	ld8 r19 = [r2]
	mov out0 = 0			// mmap(NULL, 32 KiB, RW, PRIVATE|ANONYMOUS, -1, 0)
	movl out1 = 0x8000
	;;
	mov out2 = 3
	mov out3 = 0x22
	mov out4 = -1
	mov out5 = 0
	mov r15 = 1151
	;;
	break 0x100000
	;;
	mov r20 = r8			// the mapping
	adds r2 = 0x100, r8
	mov r3 = 0x5a
	;;
	st1 [r2] = r3
	;;
	ld8 r21 = [r2]			// 0x5a: the rest of the page is zero
	mov r15 = 1028			// open: not provided
	;;
	break 0x100000
	;;
	mov r22 = r8			// ENOSYS 38
	mov r23 = r10			// -1
	mov out0 = 5
	mov out1 = r20
	mov out2 = 1
	mov r15 = 1027			// write(5, ...)
	;;
	break 0x100000
	;;
	mov r24 = r8			// EBADF 9
	mov out0 = 1
	mov out1 = 16			// unmapped buffer
	mov out2 = 4
	mov r15 = 1027
	;;
	break 0x100000
	;;
	mov r25 = r8			// EFAULT 14
	mov r26 = r10			// -1
	mov out0 = 5
	mov r15 = 1236			// exit_group(5)
	;;
	break 0x100000
	;;
	.endp _start
