// core.S: a mini "kernel/ptrace.c" for symbolization tests (CU 1 of kernel.elf).
// Functions carry ia64 unwind directives; bundles mix MII, MIB and MLX templates.
	.text
	.align 32
	.global ptrace_stop
	.proc ptrace_stop
ptrace_stop:
	.prologue
	.save ar.pfs, r34
	alloc r34 = ar.pfs, 2, 3, 2, 0
	.save rp, r33
	mov r33 = b0
	.body
	adds r14 = 0x338, r32		// &child->ptrace_message
	;;
	ld8 r15 = [r14]
	mov r35 = r32
	;;
	mov r36 = r15
	;;
	br.call.sptk.many b0 = ptrace_do_notify
	;;
	cmp.eq p6, p7 = 0, r8
	;;
(p6)	mov r8 = -1
(p7)	adds r8 = 1, r8
	;;
	mov ar.pfs = r34
	mov b0 = r33
	br.ret.sptk.many b0
	.endp ptrace_stop

	.global ptrace_do_notify
	.proc ptrace_do_notify
ptrace_do_notify:
	.prologue
	.save ar.pfs, r35
	alloc r35 = ar.pfs, 2, 2, 0, 0
	.body
	movl r14 = 0xdeaf1eed
	;;
	add r8 = r14, r32
	add r9 = r33, r32
	;;
	sub r8 = r8, r9
	mov ar.pfs = r35
	br.ret.sptk.many b0
	.endp ptrace_do_notify

	.global ptrace_notify
	.proc ptrace_notify
ptrace_notify:
	.prologue
	.save ar.pfs, r34
	alloc r34 = ar.pfs, 1, 3, 2, 0
	.save rp, r33
	mov r33 = b0
	.body
	mov r35 = r32
	mov r36 = 5
	;;
	br.call.sptk.many b0 = ptrace_stop
	;;
	mov ar.pfs = r34
	mov b0 = r33
	br.ret.sptk.many b0
	.endp ptrace_notify

	.data
	.align 8
	.global ptrace_count
	.type ptrace_count, @object
	.size ptrace_count, 8
ptrace_count:
	data8 0

	// A Xen-owned note of type 3 (XEN_ELFNOTE_VIRT_BASE), as a real vmlinux has, placed
	// before the build-id: type 3 is NT_GNU_BUILD_ID only for the owner "GNU".
	.section .note.Xen, "a"
	.align 4
	data4 4			// namesz
	data4 8			// descsz
	data4 3			// type
	stringz "Xen"
	data8 0xffffffff80000000
