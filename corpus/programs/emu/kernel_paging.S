// kernel_paging: a kernel-mode image that follows a poisoned list pointer
// (LIST_POISON1 with the usual ia64 poison delta, 0xdead000000000100) and stores
// through it: "Unable to handle kernel paging request at virtual address
// dead000000000100", then the oops with the Call Trace.
	.explicit
	.text
	.global start_kernel
	.proc start_kernel
start_kernel:
	.prologue
	.save ar.pfs, r32
	alloc r32 = ar.pfs, 0, 2, 2, 0
	.save rp, r33
	mov r33 = b0
	;;
	.body
	movl out0 = 0xdead000000000100
	mov out1 = 42
	br.call.sptk.many b0 = list_del_entry
	;;
	mov ar.pfs = r32
	mov b0 = r33
	br.ret.sptk.many b0
	;;
	.endp start_kernel

	.global list_del_entry
	.proc list_del_entry
list_del_entry:
	.prologue
	.save ar.pfs, r34
	alloc r34 = ar.pfs, 2, 2, 0, 0
	.save rp, r35
	mov r35 = b0
	;;
	.body
	adds r14 = 8, r32		// &entry->prev
	;;
	st8 [r32] = r33			// entry->next = value: faults
	;;
	mov ar.pfs = r34
	mov b0 = r35
	br.ret.sptk.many b0
	;;
	.endp list_del_entry
