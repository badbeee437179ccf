// unaligned: misaligned integer accesses in user mode. Linux's unaligned handler
// (facts §1.5) prints "comm(pid): unaligned access to ..., ip=..." and emulates them:
// an ld8 from buf+1, an st4 to buf+10 with post-increment, an ld2 back; exit(0).
	.explicit
	.data
	.align 16
buf:	data1 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff
	.text
	.global _start
	.proc _start
_start:
	.prologue
	.save ar.pfs, r32
	alloc r32 = ar.pfs, 0, 1, 1, 0
	.body
	movl r14 = buf
	;;
	adds r15 = 1, r14
	adds r16 = 10, r14
	movl r17 = 0x01020304
	;;
	ld8 r18 = [r15]			// 0x8877665544332211
	;;
	st4 [r16] = r17, 4		// buf[10..13] = 04 03 02 01; r16 = buf + 14
	;;
	adds r19 = 11, r14
	;;
	ld2 r20 = [r19]			// 0x0203
	mov out0 = 0
	mov r15 = 1025
	;;
	break 0x100000
	;;
	.endp _start
