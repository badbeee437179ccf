// The oopsy mini-kernel: just enough of Linux/ia64 to replay the five bugs of the seed
// story ("ia64 ptrace: off-by-one yak", Trofimovich 2021) on oopsy's emulator.
//
// * an interruption vector table in cr.iva: break 0x100000 is a system call, every other
//   interruption is fatal: the handler clears cr.iva and returns to the faulting
//   instruction, which faults again with no vector table and the emulator prints the
//   oops of that exact state (the "firmware" die);
// * system calls by `break 0x100000` and by `epc` from the gate page, Linux conventions
//   (facts §4.1): r15 = number, arguments in the caller's output registers, r8/r10
//   results; both switch to the kernel register backing store (KRBS) and save a
//   pt_regs (facts §4.2) at the top of the kernel memory stack;
// * a ptrace-like tracer that reports every system call of the user task the way
//   PTRACE_GET_SYSCALL_INFO does: syscall_get_arguments (flushrs, then the stopped
//   task's arguments from the KRBS located through pt_regs.cr_ifs), user_stack_pointer,
//   syscall_get_error (facts §4.3);
// * a page allocator with page poisoning (0xaa on free) and init-on-alloc zeroing, a
//   two-level page table walked by mmap, and a deferred-callback list (call_rcu) run
//   from the idle loop after the user task exits.
//
// Variants: each FIX_* symbol (default 1) selects the code after the 2021 fix; 0 selects
// the code before it. The two versions of every fix have the same size, so the buggy
// and the fixed images have identical layouts and a trace diff stops at the fix itself.
// Console output and power-off go to the "firmware": the emulator's own Linux ABI,
// reached by `break 0x100000` with cr.iva = 0.
// The tracer's record of each system call (struct syscall_info in syscall_log) is at a
// fixed address it prints, so `oopsy why --address` can ask about any reported value.

	.explicit

	.ifndef FIX_ARGS
	FIX_ARGS = 1
	.endif
	.ifndef FIX_ERROR
	FIX_ERROR = 1
	.endif
	.ifndef FIX_SP
	FIX_SP = 1
	.endif
	.ifndef FIX_POISON
	FIX_POISON = 1
	.endif
	.ifndef FIX_DEFERRED
	FIX_DEFERRED = 1
	.endif

// The kernel task block the emulator maps for a kernel-mode image (facts §3.4):
// register stack from TASK + 0x1000 up, pt_regs at the top of the 32 KiB block.
	TASK = 0xe000000004000000
	KRBS = TASK + 0x1000
	PT_REGS = TASK + 0x8000 - 0x1c0

// struct pt_regs offsets (facts §4.2)
	PT_B6 = 0x00
	PT_R8 = 0x20
	PT_R10 = 0x30
	PT_CR_IPSR = 0x40
	PT_CR_IIP = 0x48
	PT_CR_IFS = 0x50
	PT_AR_PFS = 0x60
	PT_AR_RSC = 0x68
	PT_AR_RNAT = 0x70
	PT_AR_BSPSTORE = 0x78
	PT_PR = 0x80
	PT_B0 = 0x88
	PT_LOADRS = 0x90
	PT_R1 = 0x98
	PT_R12 = 0xa0
	PT_R13 = 0xa8
	PT_R15 = 0xb8

// user psr: ic, i, dt, rt, it, bn, mfl and cpl 3 (facts §3.1 bit numbers)
	USER_PSR = 0x101308026010

// system call numbers: 1024 + the index in arch/ia64/kernel/syscalls/syscall.tbl
// (facts §4.1; indices read from linux-ia64/linux-ia64's table)
	NR_EXIT = 1025
	NR_WRITE = 1027
	NR_CLOSE = 1029
	NR_CHDIR = 1034
	NR_GETPID = 1041
	NR_MMAP = 1151
	NR_RT_SIGRETURN = 1181
	NR_SOCKET = 1190
	NR_SETSOCKOPT = 1203
	ENOENT = 2
	EBADF = 9
	ENOMEM = 12
	ENOSYS = 38

// struct syscall_info (PTRACE_GET_SYSCALL_INFO's answer, one 128-byte record per system
// call in syscall_log): nr, args[6], stack_pointer, rval, is_error
	INFO_NR = 0x00
	INFO_ARGS = 0x08
	INFO_SP = 0x38
	INFO_RVAL = 0x40
	INFO_IS_ERROR = 0x48

// the sigframe the user task leaves at sp + 16 for rt_sigreturn: sc_mask's offset
	SIGFRAME_SC_MASK = 0x28

// page allocator: 16 pages of 1 KiB
	PAGE = 0x400
	NPAGES = 16
	GFP_ZERO = 0x100
	PAGE_POISON_WORD = 0xaaaaaaaaaaaaaaaa	// PAGE_POISON 0xaa (facts §6.1)

// struct sk_filter-like object: refcnt, prog; struct bpf_prog-like: pages, len
	FP_REFCNT = 0
	FP_PROG = 8
	PROG_LEN = 8

// ===================================================================== strings ====
	.macro STR name, text
	.section .rodata
\name:	.ascii "\text"
	\name\()_len = . - \name
	.previous
	.endm

	STR s_entry_break, "ptrace: syscall entry via break, nr: "
	STR s_entry_epc, "ptrace: syscall entry via epc, nr: "
	STR s_info, "ptrace:   info: "
	STR s_krbs, "ptrace:   krbs: "
	STR s_ndirty, "ptrace:   ndirty: "
	STR s_count, "ptrace:   count: "
	STR s_args0, "ptrace:   args[0]: "
	STR s_args1, "ptrace:   args[1]: "
	STR s_args2, "ptrace:   args[2]: "
	STR s_args3, "ptrace:   args[3]: "
	STR s_args4, "ptrace:   args[4]: "
	STR s_args5, "ptrace:   args[5]: "
	STR s_sp, "ptrace:   stack_pointer: "
	STR s_sc_mask, "ptrace:   sigframe sc_mask at stack_pointer: "
	STR s_exit, "ptrace: syscall exit, rval: "
	STR s_is_error, "ptrace:   is_error: "
	STR s_blocked, "rt_sigreturn: blocked mask restored: "
	STR s_mapped, "mm: pte installed: "
	STR s_idle, "idle: deferred callbacks run: "
	STR s_boot, "oopsy mini-kernel: pages free: "

	.section .rodata
	.align 8
args_labels:
	data8 s_args0, s_args1, s_args2, s_args3, s_args4, s_args5
hexdigits:
	.ascii "0123456789abcdef"

// ======================================================================= data ====
	.data
	.align 8
	.global page_poison, init_on_alloc, init_on_free
page_poison:	data8 1		// boot parameters: page_poison=on
init_on_alloc:	data8 1		// init_on_alloc=1
init_on_free:	data8 1		// init_on_free=1
free_top:	data8 0
free_stack:	.skip 8 * NPAGES
current_pgd:	data8 0
syscall_via:	data8 0		// 0: break, 1: epc
exit_code:	data8 0
current_blocked: data8 0
sock_filter:	data8 0		// the socket's attached filter
deferred_count:	data8 0
deferred_fn:	.skip 8 * 8	// call_rcu queue: callback descriptors ...
deferred_arg:	.skip 8 * 8	// ... and their arguments
syscall_seq:	data8 0
current_info:	data8 0
	.align 128
syscall_log:	.skip 128 * 8	// struct syscall_info records, one per system call
info_krbs:	data8 0
info_ndirty:	data8 0
info_count:	data8 0
linebuf:	.skip 128

	.bss
	.align PAGE
	.global page_pool
page_pool:	.skip PAGE * NPAGES

// ============================================================ vector table ====
	.macro VECTOR offset, target
	.org \offset
	{ .mib
	nop.m 0
	nop.i 0
	br.sptk.many \target
	;;
	}
	.endm

	.section .text.ivt, "ax"
	.align 32768
	.global ivt
ivt:
	VECTOR 0x0000, fault_die	// VHPT translation
	VECTOR 0x0400, fault_die	// instruction TLB
	VECTOR 0x0800, fault_die	// data TLB
	VECTOR 0x2c00, break_entry	// break instruction
	VECTOR 0x5000, fault_die	// page not present
	VECTOR 0x5200, fault_die	// instruction access rights
	VECTOR 0x5300, fault_die	// data access rights
	VECTOR 0x5400, fault_die	// general exception
	VECTOR 0x5600, fault_die	// NaT consumption
	VECTOR 0x5a00, fault_die	// unaligned reference
	.org 0x8000

	.text
// A fatal interruption: no vector table, back to the faulting instruction. It faults
// again and the emulator prints the oops (kernel) or the signal (user) of that state.
// Uses no register, so the oops shows the interrupted registers unchanged.
	.global fault_die
fault_die:
	mov cr.iva = r0
	;;
	srlz.i
	;;
	rfi
	;;

// ================================================================ boot ====
	.global _start
	.proc _start
_start:
	movl r2 = ivt
	;;
	mov cr.iva = r2
	;;
	srlz.i
	;;
	movl r13 = TASK
	mov ar.pfs = r0
	mov b0 = r0
	;;
	br.call.sptk.many b0 = start_kernel
	;;
	break 0				// BUG(): start_kernel returned
	;;
	.endp _start

	.global start_kernel
	.proc start_kernel
start_kernel:
	.prologue
	.save ar.pfs, r32
	alloc r32 = ar.pfs, 0, 2, 3, 0
	.save rp, r33
	mov r33 = b0
	.body
	;;
	br.call.sptk.many b0 = page_alloc_init
	;;
	movl out0 = s_boot
	mov out1 = s_boot_len
	mov out2 = r8
	br.call.sptk.many b0 = kprintf_lx
	;;
	mov out0 = GFP_ZERO		// the task's page directory: must start empty
	br.call.sptk.many b0 = page_alloc
	;;
	movl r14 = current_pgd
	;;
	st8 [r14] = r8
	br.call.sptk.many b0 = start_user_thread
	;;
	break 0				// BUG(): the user thread came back
	;;
	.endp start_kernel

// Enter the user program at cpl 3 with its own memory and register stacks.
	.global start_user_thread
	.proc start_user_thread
start_user_thread:
	rsm psr.ic
	;;
	srlz.d
	movl r16 = USER_PSR
	;;
	mov cr.ipsr = r16
	movl r17 = user_main
	;;
	mov cr.iip = r17
	mov cr.ifs = r0			// not valid: rfi keeps the (empty) frame
	;;
	alloc r2 = ar.pfs, 0, 0, 0, 0
	;;
	mov ar.rsc = 0
	;;
	loadrs				// drop the boot frames
	;;
	movl r18 = user_rbs
	;;
	mov ar.bspstore = r18
	;;
	mov ar.rsc = 0xf		// eager, pl 3
	movl r12 = user_stack_top - 16
	mov ar.pfs = r0
	mov b0 = r0
	;;
	rfi
	;;
	.endp start_user_thread

// ====================================================== system call entry ====
// break 0x100000 (facts §4.1): cr.iim is the immediate; the saved ip is advanced past
// the break (ri + 1, or the next bundle after slot 2) because break is a fault.
	.global break_entry
break_entry:
	mov r16 = cr.iim
	movl r17 = 0x100000
	;;
	cmp.ne p6, p0 = r16, r17
(p6)	br.cond.spnt.many fault_die
	;;
	movl r16 = PT_REGS
	mov r17 = cr.ipsr
	mov r18 = cr.iip
	;;
	extr.u r19 = r17, 41, 2
	;;
	cmp.eq p7, p8 = 2, r19
	;;
(p7)	adds r18 = 16, r18
(p7)	mov r19 = 0
(p8)	adds r19 = 1, r19
	;;
	dep r17 = r19, r17, 41, 2
	adds r20 = PT_CR_IIP, r16
	adds r21 = PT_CR_IPSR, r16
	;;
	st8 [r20] = r18
	st8 [r21] = r17
	mov r23 = 0
	br.sptk.many syscall_common
	;;

// epc from the gate page lands here at cpl 0 in the frame br.call made (sol = 0);
// b6 is the user's return address (facts §4.1 gate.S).
	.global fsys_entry
fsys_entry:
	movl r16 = PT_REGS
	mov r18 = b6
	movl r17 = USER_PSR
	;;
	adds r20 = PT_CR_IIP, r16
	adds r21 = PT_CR_IPSR, r16
	;;
	st8 [r20] = r18
	st8 [r21] = r17
	mov r23 = 1
	br.sptk.many syscall_common
	;;

// r16 = pt_regs, r23 = 0 (break) / 1 (epc). Switch to the kernel backing store, save the
// user state, call the dispatcher with the user's output registers as its inputs.
	.global syscall_common
syscall_common:
	mov r17 = ar.rsc
	adds r20 = PT_AR_RSC, r16
	;;
	mov ar.rsc = 0			// enforced lazy: bspstore may be moved (facts §3.3)
	;;
	mov r18 = ar.bspstore
	mov r19 = ar.rnat
	movl r22 = KRBS
	;;
	mov ar.bspstore = r22		// dirty user registers now spill to the KRBS
	st8 [r20] = r17
	adds r20 = PT_AR_BSPSTORE, r16
	;;
	mov r24 = ar.bsp
	st8 [r20] = r18
	adds r20 = PT_AR_RNAT, r16
	;;
	st8 [r20] = r19
	sub r24 = r24, r22
	adds r20 = PT_LOADRS, r16
	;;
	shl r24 = r24, 16		// pt_regs.loadrs: dirty bytes << 16 (facts §3.1)
	;;
	st8 [r20] = r24
	mov r25 = ar.pfs
	adds r20 = PT_AR_PFS, r16
	;;
	st8 [r20] = r25
	mov r26 = b0
	adds r20 = PT_B0, r16
	;;
	st8 [r20] = r26
	mov r27 = b6
	adds r20 = PT_B6, r16
	;;
	st8 [r20] = r27
	mov r28 = pr
	adds r20 = PT_PR, r16
	;;
	st8 [r20] = r28
	adds r20 = PT_R12, r16
	;;
	st8 [r20] = r12
	adds r20 = PT_R15, r16
	;;
	st8 [r20] = r15
	adds r20 = PT_R1, r16
	;;
	st8 [r20] = r1
	adds r20 = PT_R13, r16
	;;
	st8 [r20] = r13
	movl r21 = syscall_via
	;;
	st8 [r21] = r23
	adds r12 = -16, r16
	movl r13 = TASK
	;;
	mov ar.rsc = 3			// eager, pl 0
	ssm psr.ic
	;;
	srlz.d
	br.call.sptk.many b0 = ia64_syscall_dispatch
	;;
	movl r16 = PT_REGS
	movl r21 = syscall_via
	;;
	ld8 r23 = [r21]
	;;
	cmp.ne p6, p0 = r23, r0
(p6)	br.cond.dpnt.many epc_return
	;;
// back to a break caller: rfi restores the user's frame from cr.ifs
	rsm psr.ic
	;;
	srlz.d
	;;
	cover				// cr.ifs = the user's frame (psr.ic = 0, facts §3.3)
	;;
	mov r24 = ar.bsp
	movl r22 = KRBS
	;;
	sub r24 = r24, r22
	;;
	shl r24 = r24, 16
	;;
	mov ar.rsc = r24		// loadrs = everything on the KRBS, enforced lazy
	;;
	loadrs
	;;
	adds r20 = PT_AR_BSPSTORE, r16
	adds r21 = PT_AR_RNAT, r16
	;;
	ld8 r18 = [r20]
	ld8 r19 = [r21]
	;;
	mov ar.bspstore = r18
	;;
	mov ar.rnat = r19
	adds r20 = PT_CR_IPSR, r16
	adds r21 = PT_CR_IIP, r16
	;;
	ld8 r17 = [r20]
	ld8 r18 = [r21]
	;;
	mov cr.ipsr = r17
	mov cr.iip = r18
	br.sptk.many restore_user
	;;

// back to an epc caller: empty frame, user backing store, br.ret demotes to ar.pfs.ppl
epc_return:
	alloc r2 = ar.pfs, 0, 0, 0, 0
	;;
	mov r24 = ar.bsp
	movl r22 = KRBS
	;;
	sub r24 = r24, r22
	;;
	shl r24 = r24, 16
	;;
	mov ar.rsc = r24
	;;
	loadrs
	;;
	adds r20 = PT_AR_BSPSTORE, r16
	adds r21 = PT_AR_RNAT, r16
	;;
	ld8 r18 = [r20]
	ld8 r19 = [r21]
	;;
	mov ar.bspstore = r18
	;;
	mov ar.rnat = r19
	;;
	adds r20 = PT_B6, r16
	;;
	ld8 r27 = [r20]
	;;
	mov b6 = r27
	mov r23 = 1
	br.sptk.many restore_user
	;;

// restore what both paths saved; r23 = 0: rfi, 1: br.ret b6
restore_user:
	adds r20 = PT_AR_RSC, r16
	adds r21 = PT_AR_PFS, r16
	;;
	ld8 r17 = [r20]
	ld8 r25 = [r21]
	adds r20 = PT_B0, r16
	adds r21 = PT_PR, r16
	;;
	ld8 r26 = [r20]
	ld8 r28 = [r21]
	mov ar.rsc = r17
	;;
	mov ar.pfs = r25
	mov b0 = r26
	adds r20 = PT_R12, r16
	adds r21 = PT_R1, r16
	;;
	ld8 r12 = [r20]
	ld8 r1 = [r21]
	adds r20 = PT_R13, r16
	adds r21 = PT_R15, r16
	;;
	ld8 r13 = [r20]
	ld8 r15 = [r21]
	cmp.ne p6, p0 = r23, r0
	;;
(p6)	br.cond.dpnt.many 1f
	;;
	mov pr = r28, -1
	;;
	rfi
	;;
1:	mov pr = r28, -1
	;;
	br.ret.sptk.many b6
	;;

// ============================================================ dispatcher ====
// in0-in7 = the user's output registers; ar.pfs.pfm = the user's frame at entry.
	.global ia64_syscall_dispatch
	.proc ia64_syscall_dispatch
ia64_syscall_dispatch:
	.prologue
	.save ar.pfs, r40
	alloc r40 = ar.pfs, 8, 4, 8, 0
	.save rp, r41
	mov r41 = b0
	.body
	;;
	movl r42 = PT_REGS
	;;
	dep r14 = 0, r40, 38, 26	// pt_regs.cr_ifs = ar.pfs.pfm, bit 63 clear (facts §3.1)
	adds r16 = PT_CR_IFS, r42
	adds r17 = PT_R15, r42
	;;
	st8 [r16] = r14
	ld8 r43 = [r17]
	mov out0 = r42
	br.call.sptk.many b0 = syscall_trace_enter
	;;
	mov out0 = in0
	mov out1 = in1
	mov out2 = in2
	mov out3 = in3
	mov out4 = in4
	mov out5 = in5
	movl r14 = syscall_table
	;;
1:	ld8 r15 = [r14], 8
	;;
	ld8 r16 = [r14], 8
	cmp.eq p6, p0 = r15, r43
	cmp.eq p7, p0 = r15, r0
	;;
(p6)	br.cond.sptk.many 2f
(p7)	br.cond.spnt.many 3f
	br.sptk.many 1b
	;;
2:	mov b6 = r16
	;;
	br.call.sptk.many b0 = b6
	;;
	br.sptk.many 4f
	;;
3:	mov r8 = -ENOSYS
	;;
// r8 >= 0: value; -4095 <= r8 < 0: error (syscall_set_return_value, facts §4.3 (a))
4:	mov r10 = 0
	movl r14 = -4096
	;;
	cmp.lt p6, p0 = r14, r8
	;;
(p6)	cmp.lt p6, p0 = r8, r0
	;;
(p6)	sub r8 = r0, r8
(p6)	mov r10 = -1
	adds r16 = PT_R8, r42
	adds r17 = PT_R10, r42
	;;
	st8 [r16] = r8
	st8 [r17] = r10
	mov out0 = r42
	br.call.sptk.many b0 = syscall_trace_leave
	;;
	adds r16 = PT_R8, r42
	adds r17 = PT_R10, r42
	;;
	ld8 r8 = [r16]
	ld8 r10 = [r17]
	mov ar.pfs = r40
	mov b0 = r41
	br.ret.sptk.many b0
	;;
	.endp ia64_syscall_dispatch

	.section .rodata
	.align 8
syscall_table:
	data8 NR_EXIT, sys_exit
	data8 NR_WRITE, sys_write
	data8 NR_CLOSE, sys_close
	data8 NR_CHDIR, sys_chdir
	data8 NR_GETPID, sys_getpid
	data8 NR_MMAP, sys_mmap
	data8 NR_RT_SIGRETURN, sys_rt_sigreturn
	data8 NR_SOCKET, sys_socket
	data8 NR_SETSOCKOPT, sys_setsockopt
	data8 0, 0
	.text

// ================================================================ tracer ====
// What PTRACE_GET_SYSCALL_INFO reports at syscall entry (nr, args, stack_pointer).
	.global syscall_trace_enter
	.proc syscall_trace_enter
syscall_trace_enter:
	.prologue
	.save ar.pfs, r33
	alloc r33 = ar.pfs, 1, 6, 3, 0
	.save rp, r34
	mov r34 = b0
	.body
	;;
	adds r14 = PT_R15, r32
	movl r15 = syscall_via
	;;
	ld8 r35 = [r14]			// nr
	ld8 r16 = [r15]
	movl r17 = syscall_seq
	;;
	ld8 r18 = [r17]
	movl r19 = syscall_log
	;;
	and r20 = 7, r18
	adds r18 = 1, r18
	;;
	st8 [r17] = r18
	shl r20 = r20, 7
	;;
	add r37 = r19, r20		// this call's syscall_info
	movl r21 = current_info
	;;
	st8 [r21] = r37
	st8 [r37] = r35
	movl out0 = s_entry_break
	mov out1 = s_entry_break_len
	;;
	cmp.ne p6, p0 = r16, r0
	;;
(p6)	movl out0 = s_entry_epc
(p6)	mov out1 = s_entry_epc_len
	mov out2 = r35
	br.call.sptk.many b0 = kprintf_lx
	;;
	movl out0 = s_info
	mov out1 = s_info_len
	mov out2 = r37
	br.call.sptk.many b0 = kprintf_lx
	;;
	mov out0 = r32
	adds out1 = INFO_ARGS, r37
	mov out2 = 6
	br.call.sptk.many b0 = syscall_get_arguments
	;;
	movl r14 = info_krbs
	movl out0 = s_krbs
	mov out1 = s_krbs_len
	;;
	ld8 out2 = [r14]
	br.call.sptk.many b0 = kprintf_lx
	;;
	movl r14 = info_ndirty
	movl out0 = s_ndirty
	mov out1 = s_ndirty_len
	;;
	ld8 out2 = [r14]
	br.call.sptk.many b0 = kprintf_lx
	;;
	movl r14 = info_count
	movl out0 = s_count
	mov out1 = s_count_len
	;;
	ld8 r38 = [r14]			// count
	;;
	mov out2 = r38
	br.call.sptk.many b0 = kprintf_lx
	mov r36 = 0			// i
	;;
1:	cmp.ge p6, p0 = r36, r38
(p6)	br.cond.spnt.many 2f
	movl r14 = args_labels
	adds r15 = INFO_ARGS, r37
	;;
	shladd r14 = r36, 3, r14
	shladd r15 = r36, 3, r15
	;;
	ld8 out0 = [r14]
	ld8 out2 = [r15]
	mov out1 = s_args0_len
	br.call.sptk.many b0 = kprintf_lx
	;;
	adds r36 = 1, r36
	br.sptk.many 1b
	;;
2:	mov out0 = r32
	br.call.sptk.many b0 = user_stack_pointer
	;;
	mov r36 = r8			// stack_pointer
	adds r14 = INFO_SP, r37
	;;
	st8 [r14] = r8
	movl out0 = s_sp
	mov out1 = s_sp_len
	mov out2 = r8
	br.call.sptk.many b0 = kprintf_lx
	;;
	movl r14 = NR_RT_SIGRETURN
	;;
	cmp.ne p6, p0 = r14, r35
(p6)	br.cond.sptk.many 3f
	;;
	adds r14 = 16 + SIGFRAME_SC_MASK, r36	// what strace reads: the sigframe at sp
	movl out0 = s_sc_mask
	;;
	ld8 out2 = [r14]
	mov out1 = s_sc_mask_len
	br.call.sptk.many b0 = kprintf_lx
	;;
3:	mov ar.pfs = r33
	mov b0 = r34
	br.ret.sptk.many b0
	;;
	.endp syscall_trace_enter

// What PTRACE_GET_SYSCALL_INFO reports at syscall exit (ptrace_get_syscall_info_exit):
// rval = syscall_get_error(); is_error = rval != 0; if not, rval = the return value.
	.global syscall_trace_leave
	.proc syscall_trace_leave
syscall_trace_leave:
	.prologue
	.save ar.pfs, r33
	alloc r33 = ar.pfs, 1, 4, 3, 0
	.save rp, r34
	mov r34 = b0
	.body
	;;
	mov out0 = r32
	br.call.sptk.many b0 = syscall_get_error
	;;
	mov r35 = r8			// rval
	cmp.ne p6, p7 = r8, r0
	;;
(p6)	mov r36 = 1			// is_error
(p7)	mov r36 = 0
	adds r14 = PT_R8, r32
	;;
(p7)	ld8 r35 = [r14]			// syscall_get_return_value
	movl r15 = current_info
	;;
	ld8 r15 = [r15]
	;;
	adds r16 = INFO_RVAL, r15
	adds r17 = INFO_IS_ERROR, r15
	;;
	st8 [r16] = r35
	st8 [r17] = r36
	movl out0 = s_exit
	mov out1 = s_exit_len
	;;
	mov out2 = r35
	br.call.sptk.many b0 = kprintf_lx
	;;
	movl out0 = s_is_error
	mov out1 = s_is_error_len
	mov out2 = r36
	br.call.sptk.many b0 = kprintf_lx
	;;
	mov ar.pfs = r33
	mov b0 = r34
	br.ret.sptk.many b0
	;;
	.endp syscall_trace_leave

// syscall_get_arguments(pt, args, n): the stopped task's arguments, read from the
// kernel register backing store after flushrs (ptrace.c syscall_get_set_args_cb,
// facts §4.3 (b)). cr.ifs holds the user frame at entry: sof = locals + outputs,
// sol = locals; the arguments are the outputs.
	.global syscall_get_arguments
	.proc syscall_get_arguments
syscall_get_arguments:
	.prologue
	.save ar.pfs, r35
	alloc r35 = ar.pfs, 3, 8, 2, 0
	.save rp, r36
	mov r36 = b0
	.body
	;;
	flushrs				// the caller's frames go to the KRBS
	;;
	adds r14 = PT_CR_IFS, r32
	adds r15 = PT_LOADRS, r32
	;;
	ld8 r39 = [r14]			// cfm
	ld8 r17 = [r15]
	movl r37 = KRBS			// krbs
	;;
	shr.u r17 = r17, 19		// pt->loadrs >> 19: dirty slots
	mov out0 = r37
	;;
	shladd out1 = r17, 3, r37
	br.call.sptk.many b0 = ia64_rse_num_regs
	;;
	mov r38 = r8			// ndirty
	extr.u r16 = r39, 7, 7		// nlocals = sol
	and r17 = 0x7f, r39		// sof
	;;
	sub r18 = r17, r16		// nouts = sof - sol
	;;
.if FIX_ARGS
	add r40 = r38, r16		// first argument: ndirty + nlocals
.else
	add r40 = r38, r0		// first argument: ndirty (locals read as arguments)
.endif
.if FIX_ARGS
	mov r41 = r18			// count = min(n, nouts)
.else
	mov r41 = r17			// count = min(n, sof)
.endif
	;;
	cmp.lt p6, p0 = r34, r41
	tbit.nz p7, p0 = r39, 63	// not in a syscall: no arguments
	;;
(p6)	mov r41 = r34
	;;
(p7)	mov r41 = 0
	movl r14 = info_krbs
	movl r15 = info_ndirty
	;;
	st8 [r14] = r37
	st8 [r15] = r38
	movl r14 = info_count
	;;
	st8 [r14] = r41
	mov r42 = 0			// i
	;;
1:	cmp.ge p6, p0 = r42, r41
(p6)	br.cond.spnt.many 2f
	mov out0 = r37
	add out1 = r40, r42
	br.call.sptk.many b0 = ia64_rse_skip_regs
	;;
	ld8 r14 = [r8]
	shladd r15 = r42, 3, r33
	;;
	st8 [r15] = r14
	adds r42 = 1, r42
	br.sptk.many 1b
	;;
2:	mov ar.pfs = r35
	mov b0 = r36
	br.ret.sptk.many b0
	;;
	.endp syscall_get_arguments

// user_stack_pointer(pt) (asm/ptrace.h, facts §4.3 (c))
	.global user_stack_pointer
	.proc user_stack_pointer
user_stack_pointer:
.if FIX_SP
	adds r14 = PT_R12, r32		// the memory stack pointer
.else
	adds r14 = PT_AR_BSPSTORE, r32	// "FIXME: should this be bspstore + nr_dirty regs?"
.endif
	;;
	ld8 r8 = [r14]
	br.ret.sptk.many b0
	;;
	.endp user_stack_pointer

// syscall_get_error(pt) (asm/syscall.h, facts §4.3 (a)): r10 == -1 means r8 holds a
// positive errno; the tracer wants -errno.
	.global syscall_get_error
	.proc syscall_get_error
syscall_get_error:
	adds r14 = PT_R10, r32
	adds r15 = PT_R8, r32
	;;
	ld8 r16 = [r14]
	ld8 r17 = [r15]
	;;
	cmp.eq p6, p7 = -1, r16
	;;
.if FIX_ERROR
(p6)	sub r8 = r0, r17
.else
(p6)	add r8 = r17, r0
.endif
(p7)	mov r8 = r0
	br.ret.sptk.many b0
	;;
	.endp syscall_get_error

// ia64_rse_num_regs(bspstore, bsp) (rse.h, facts §3.2)
	.global ia64_rse_num_regs
	.proc ia64_rse_num_regs
ia64_rse_num_regs:
	sub r14 = r33, r32
	extr.u r15 = r32, 3, 6		// slot number of bspstore
	;;
	shr.u r14 = r14, 3		// slots
	;;
	add r15 = r15, r14
	;;
	shr.u r15 = r15, 6		// RNAT slots crossed
	;;
	sub r8 = r14, r15
	br.ret.sptk.many b0
	;;
	.endp ia64_rse_num_regs

// ia64_rse_skip_regs(addr, num_regs) for num_regs >= 0 (rse.h, facts §3.2):
// addr + num_regs + (slot_num(addr) + num_regs) / 0x3f
	.global ia64_rse_skip_regs
	.proc ia64_rse_skip_regs
ia64_rse_skip_regs:
	extr.u r14 = r32, 3, 6
	mov r15 = 0
	;;
	add r14 = r14, r33		// delta
	;;
1:	cmp.lt p6, p0 = 0x3e, r14	// delta >= 0x3f: one more RNAT slot
	;;
(p6)	adds r14 = -0x3f, r14
(p6)	adds r15 = 1, r15
(p6)	br.cond.dptk.few 1b
	;;
	add r15 = r15, r33
	;;
	shladd r8 = r15, 3, r32
	br.ret.sptk.many b0
	;;
	.endp ia64_rse_skip_regs

// ============================================================ system calls ====
	.global sys_exit
	.proc sys_exit
sys_exit:
	movl r14 = exit_code
	;;
	st8 [r14] = r32
	br.sptk.many cpu_startup_entry
	;;
	.endp sys_exit

	.global sys_write
	.proc sys_write
sys_write:
	.prologue
	.save ar.pfs, r35
	alloc r35 = ar.pfs, 3, 2, 2, 0
	.save rp, r36
	mov r36 = b0
	.body
	;;
	mov out0 = r33
	mov out1 = r34
	br.call.sptk.many b0 = fw_write
	;;
	mov r8 = r34
	mov ar.pfs = r35
	mov b0 = r36
	br.ret.sptk.many b0
	;;
	.endp sys_write

	.global sys_chdir
	.proc sys_chdir
sys_chdir:
	mov r8 = -ENOENT		// no file system here: every path is missing
	br.ret.sptk.many b0
	;;
	.endp sys_chdir

	.global sys_getpid
	.proc sys_getpid
sys_getpid:
	mov r8 = 1
	br.ret.sptk.many b0
	;;
	.endp sys_getpid

// rt_sigreturn: restore the blocked mask from the sigframe at the user's sp + 16
	.global sys_rt_sigreturn
	.proc sys_rt_sigreturn
sys_rt_sigreturn:
	.prologue
	.save ar.pfs, r32
	alloc r32 = ar.pfs, 0, 2, 3, 0
	.save rp, r33
	mov r33 = b0
	.body
	;;
	movl r14 = PT_REGS + PT_R12
	;;
	ld8 r15 = [r14]
	;;
	adds r15 = 16 + SIGFRAME_SC_MASK, r15
	;;
	ld8 out2 = [r15]
	movl r16 = current_blocked
	;;
	st8 [r16] = out2
	movl out0 = s_blocked
	mov out1 = s_blocked_len
	br.call.sptk.many b0 = kprintf_lx
	;;
	mov r8 = 0
	mov ar.pfs = r32
	mov b0 = r33
	br.ret.sptk.many b0
	;;
	.endp sys_rt_sigreturn

// mmap(addr, ...): populate one page at addr (MAP_FIXED | MAP_POPULATE)
	.global sys_mmap
	.proc sys_mmap
sys_mmap:
	.prologue
	.save ar.pfs, r38
	alloc r38 = ar.pfs, 6, 2, 3, 0
	.save rp, r39
	mov r39 = b0
	.body
	;;
	mov out0 = r32
	br.call.sptk.many b0 = handle_mm_fault
	;;
	mov out2 = r8
	movl out0 = s_mapped
	mov out1 = s_mapped_len
	br.call.sptk.many b0 = kprintf_lx
	;;
	mov r8 = r32
	mov ar.pfs = r38
	mov b0 = r39
	br.ret.sptk.many b0
	;;
	.endp sys_mmap

// socket(): one socket, fd 3
	.global sys_socket
	.proc sys_socket
sys_socket:
	mov r8 = 3
	br.ret.sptk.many b0
	;;
	.endp sys_socket

// setsockopt(fd, level, SO_ATTACH_FILTER, prog, len): sk_attach_filter
	.global sys_setsockopt
	.proc sys_setsockopt
sys_setsockopt:
	.prologue
	.save ar.pfs, r37
	alloc r37 = ar.pfs, 5, 3, 1, 0
	.save rp, r38
	mov r38 = b0
	.body
	;;
	mov out0 = 0
	br.call.sptk.many b0 = page_alloc	// the sk_filter
	;;
	mov r39 = r8
	mov out0 = 0
	br.call.sptk.many b0 = page_alloc	// its bpf_prog
	;;
	adds r14 = PROG_LEN, r8
	adds r15 = FP_PROG, r39
	adds r16 = FP_REFCNT, r39
	mov r17 = 1
	;;
	st8 [r14] = r36			// prog->len
	st8 [r15] = r8			// fp->prog
	st8 [r16] = r17			// fp->refcnt = 1
	movl r14 = sock_filter
	;;
	st8 [r14] = r39
	mov r8 = 0
	mov ar.pfs = r37
	mov b0 = r38
	br.ret.sptk.many b0
	;;
	.endp sys_setsockopt

// close(fd): sk_filter_release: the filter goes away after a grace period (call_rcu)
	.global sys_close
	.proc sys_close
sys_close:
	.prologue
	.save ar.pfs, r33
	alloc r33 = ar.pfs, 1, 3, 2, 0
	.save rp, r34
	mov r34 = b0
	.body
	;;
	movl r14 = sock_filter
	;;
	ld8 r35 = [r14]
	;;
	st8 [r14] = r0
	movl out0 = sk_filter_release_rcu
	mov out1 = r35
	br.call.sptk.many b0 = call_rcu
	;;
	mov out0 = r35
	nop.i 0
.if FIX_DEFERRED
	nop.b 0
.else
	br.call.sptk.many b0 = page_free	// the early free: before the grace period
.endif
	;;
	mov r8 = 0
	mov ar.pfs = r33
	mov b0 = r34
	br.ret.sptk.many b0
	;;
	.endp sys_close

// sk_filter_release_rcu(fp): runs after the grace period; reads fp->prog->len, frees both
	.global sk_filter_release_rcu
	.proc sk_filter_release_rcu
sk_filter_release_rcu:
	.prologue
	.save ar.pfs, r33
	alloc r33 = ar.pfs, 1, 3, 1, 0
	.save rp, r34
	mov r34 = b0
	.body
	;;
	adds r14 = FP_PROG, r32
	;;
	ld8 r35 = [r14]			// fp->prog
	;;
	adds r15 = PROG_LEN, r35
	;;
	ld8 r8 = [r15]			// prog->len (bpf_prog_destroy)
	mov out0 = r35
	br.call.sptk.many b0 = page_free
	;;
	mov out0 = r32
	br.call.sptk.many b0 = page_free
	;;
	mov ar.pfs = r33
	mov b0 = r34
	br.ret.sptk.many b0
	;;
	.endp sk_filter_release_rcu

// call_rcu(fn, arg): queue a callback for the idle loop
	.global call_rcu
	.proc call_rcu
call_rcu:
	movl r14 = deferred_count
	movl r15 = deferred_fn
	movl r16 = deferred_arg
	;;
	ld8 r17 = [r14]
	;;
	shladd r15 = r17, 3, r15
	shladd r16 = r17, 3, r16
	adds r17 = 1, r17
	;;
	st8 [r15] = r32
	st8 [r16] = r33
	st8 [r14] = r17
	br.ret.sptk.many b0
	;;
	.endp call_rcu

// ============================================================ memory ====
// handle_mm_fault(addr): pgd[(addr >> 20) & 127] -> pte table, [(addr >> 10) & 127] -> pte
	.global handle_mm_fault
	.proc handle_mm_fault
handle_mm_fault:
	.prologue
	.save ar.pfs, r33
	alloc r33 = ar.pfs, 1, 4, 1, 0
	.save rp, r34
	mov r34 = b0
	.body
	;;
	movl r14 = current_pgd
	extr.u r15 = r32, 20, 7
	;;
	ld8 r14 = [r14]
	;;
	shladd r35 = r15, 3, r14	// &pgd[i]
	;;
	ld8 r36 = [r35]			// pte table
	;;
	cmp.ne p6, p0 = r36, r0
(p6)	br.cond.sptk.many 1f
	;;
	mov out0 = GFP_ZERO
	br.call.sptk.many b0 = page_alloc
	;;
	mov r36 = r8
	st8 [r35] = r8
	;;
1:	extr.u r15 = r32, 10, 7
	;;
	shladd r35 = r15, 3, r36	// &pte
	;;
	ld8 r37 = [r35]			// pte
	;;
	cmp.ne p6, p0 = r37, r0
(p6)	br.cond.spnt.many 2f
	;;
	mov out0 = GFP_ZERO
	br.call.sptk.many b0 = page_alloc
	;;
	adds r37 = 1, r8		// present
	;;
	st8 [r35] = r37
2:	mov r8 = r37
	mov ar.pfs = r33
	mov b0 = r34
	br.ret.sptk.many b0
	;;
	.endp handle_mm_fault

// page_alloc_init(): every page of the pool goes through page_free; returns the count
	.global page_alloc_init
	.proc page_alloc_init
page_alloc_init:
	.prologue
	.save ar.pfs, r32
	alloc r32 = ar.pfs, 0, 3, 1, 0
	.save rp, r33
	mov r33 = b0
	.body
	;;
	movl r34 = page_pool
	;;
1:	mov out0 = r34
	br.call.sptk.many b0 = page_free
	;;
	movl r14 = page_pool + PAGE * NPAGES
	adds r34 = PAGE, r34
	;;
	cmp.lt p6, p0 = r34, r14
(p6)	br.cond.sptk.many 1b
	;;
	movl r14 = free_top
	;;
	ld8 r8 = [r14]
	mov ar.pfs = r32
	mov b0 = r33
	br.ret.sptk.many b0
	;;
	.endp page_alloc_init

// want_init_on_free(): zero pages when they are freed. Page poisoning writes 0xaa
// instead, so with page_poison=on init_on_free must not count (the 2021 fix, blog).
	.global want_init_on_free
	.proc want_init_on_free
want_init_on_free:
	movl r14 = init_on_free
	movl r15 = page_poison
	;;
	ld8 r14 = [r14]
	ld8 r15 = [r15]
	;;
.if FIX_POISON
	andcm r8 = r14, r15		// init_on_free && !page_poison
.else
	add r8 = r14, r0		// init_on_free, even when poisoning replaced the zeroing
.endif
	br.ret.sptk.many b0
	;;
	.endp want_init_on_free

// want_init_on_alloc(gfp): zero at allocation unless the free already did
	.global want_init_on_alloc
	.proc want_init_on_alloc
want_init_on_alloc:
	.prologue
	.save ar.pfs, r33
	alloc r33 = ar.pfs, 1, 2, 0, 0
	.save rp, r34
	mov r34 = b0
	.body
	;;
	br.call.sptk.many b0 = want_init_on_free
	;;
	cmp.ne p6, p0 = r8, r0
	movl r14 = init_on_alloc
	;;
	ld8 r14 = [r14]
	mov r16 = GFP_ZERO
	;;
	and r15 = r16, r32
	;;
	or r8 = r14, r15
	;;
(p6)	mov r8 = 0			// "already zeroed by the free"
	mov ar.pfs = r33
	mov b0 = r34
	br.ret.sptk.many b0
	;;
	.endp want_init_on_alloc

// page_alloc(gfp): pop a free page; zero it if want_init_on_alloc
	.global page_alloc
	.proc page_alloc
page_alloc:
	.prologue
	.save ar.pfs, r33
	alloc r33 = ar.pfs, 1, 3, 1, 0
	.save rp, r34
	mov r34 = b0
	.body
	;;
	movl r14 = free_top
	movl r15 = free_stack
	;;
	ld8 r16 = [r14]
	;;
	cmp.eq p6, p0 = r16, r0
	adds r16 = -1, r16
(p6)	br.cond.spnt.many 1f
	;;
	shladd r15 = r16, 3, r15
	st8 [r14] = r16
	;;
	ld8 r35 = [r15]			// the page
	mov out0 = r32
	br.call.sptk.many b0 = want_init_on_alloc
	;;
	cmp.eq p6, p0 = r8, r0
	mov out0 = r35
(p6)	br.cond.spnt.many 2f
	br.call.sptk.many b0 = kernel_init_pages
	;;
2:	mov r8 = r35
	br.sptk.many 3f
	;;
1:	mov r8 = r0
	;;
3:	mov ar.pfs = r33
	mov b0 = r34
	br.ret.sptk.many b0
	;;
	.endp page_alloc

// page_free(page): poison (page_poison=on) or zero (want_init_on_free), then push
	.global page_free
	.proc page_free
page_free:
	.prologue
	.save ar.pfs, r33
	alloc r33 = ar.pfs, 1, 2, 1, 0
	.save rp, r34
	mov r34 = b0
	.body
	;;
	movl r14 = page_poison
	;;
	ld8 r14 = [r14]
	mov out0 = r32
	;;
	cmp.ne p6, p0 = r14, r0
(p6)	br.cond.sptk.many 1f
	br.call.sptk.many b0 = want_init_on_free
	;;
	cmp.eq p6, p0 = r8, r0
	mov out0 = r32
(p6)	br.cond.spnt.many 2f
	br.call.sptk.many b0 = kernel_init_pages
	br.sptk.many 2f
	;;
1:	br.call.sptk.many b0 = kernel_poison_pages
	;;
2:	movl r14 = free_top
	movl r15 = free_stack
	;;
	ld8 r16 = [r14]
	;;
	shladd r15 = r16, 3, r15
	adds r16 = 1, r16
	;;
	st8 [r15] = r32
	st8 [r14] = r16
	mov ar.pfs = r33
	mov b0 = r34
	br.ret.sptk.many b0
	;;
	.endp page_free

// kernel_poison_pages(page): memset(page, PAGE_POISON, PAGE) (mm/page_poison.c)
	.global kernel_poison_pages
	.proc kernel_poison_pages
kernel_poison_pages:
	mov r16 = ar.lc
	movl r14 = PAGE_POISON_WORD
	mov r15 = PAGE / 8 - 1
	;;
	mov ar.lc = r15
	;;
1:	st8 [r32] = r14, 8
	br.cloop.sptk.few 1b
	;;
	mov ar.lc = r16
	br.ret.sptk.many b0
	;;
	.endp kernel_poison_pages

// kernel_init_pages(page): memset(page, 0, PAGE)
	.global kernel_init_pages
	.proc kernel_init_pages
kernel_init_pages:
	mov r16 = ar.lc
	mov r15 = PAGE / 8 - 1
	;;
	mov ar.lc = r15
	;;
1:	st8 [r32] = r0, 8
	br.cloop.sptk.few 1b
	;;
	mov ar.lc = r16
	br.ret.sptk.many b0
	;;
	.endp kernel_init_pages

// ============================================================ idle ====
// The user task is gone: fresh kernel stacks, then the idle loop.
	.global cpu_startup_entry
	.proc cpu_startup_entry
cpu_startup_entry:
	mov ar.rsc = 0
	;;
	alloc r2 = ar.pfs, 0, 0, 0, 0
	;;
	loadrs				// forget the task's frames
	;;
	movl r14 = KRBS
	;;
	mov ar.bspstore = r14
	;;
	mov ar.rsc = 3
	movl r12 = PT_REGS - 16
	mov ar.pfs = r0
	mov b0 = r0
	;;
	br.call.sptk.many b0 = do_idle
	;;
	break 0				// BUG(): the idle loop returned
	;;
	.endp cpu_startup_entry

	.global do_idle
	.proc do_idle
do_idle:
	.prologue
	.save ar.pfs, r32
	alloc r32 = ar.pfs, 0, 2, 3, 0
	.save rp, r33
	mov r33 = b0
	.body
	;;
	br.call.sptk.many b0 = rcu_core
	;;
	movl out0 = s_idle
	mov out1 = s_idle_len
	mov out2 = r8
	br.call.sptk.many b0 = kprintf_lx
	;;
	movl r14 = exit_code
	;;
	ld8 out0 = [r14]
	br.call.sptk.many b0 = fw_exit
	;;
	break 0				// BUG(): power-off returned
	;;
	.endp do_idle

// rcu_core(): run every queued callback; returns how many ran
	.global rcu_core
	.proc rcu_core
rcu_core:
	.prologue
	.save ar.pfs, r32
	alloc r32 = ar.pfs, 0, 3, 1, 0
	.save rp, r33
	mov r33 = b0
	.body
	;;
	mov r34 = 0
	;;
1:	movl r14 = deferred_count
	;;
	ld8 r14 = [r14]
	;;
	cmp.ge p6, p0 = r34, r14
(p6)	br.cond.spnt.many 2f
	movl r15 = deferred_fn
	movl r16 = deferred_arg
	;;
	shladd r15 = r34, 3, r15
	shladd r16 = r34, 3, r16
	;;
	ld8 r17 = [r15]
	ld8 out0 = [r16]
	;;
	mov b6 = r17
	adds r34 = 1, r34
	;;
	br.call.sptk.many b0 = b6
	;;
	br.sptk.many 1b
	;;
2:	mov r8 = r34
	mov ar.pfs = r32
	mov b0 = r33
	br.ret.sptk.many b0
	;;
	.endp rcu_core

// ============================================================ console ====
// fw_write(buf, len): the firmware console (the emulator's write(1, ...), cr.iva = 0)
	.global fw_write
	.proc fw_write
fw_write:
	.prologue
	.save ar.pfs, r34
	alloc r34 = ar.pfs, 2, 2, 3, 0
	.body
	;;
	mov r35 = cr.iva
	mov out0 = 1
	mov out1 = r32
	mov out2 = r33
	mov r15 = NR_WRITE
	;;
	mov cr.iva = r0
	;;
	srlz.i
	;;
	break 0x100000
	;;
	mov cr.iva = r35
	;;
	srlz.i
	mov ar.pfs = r34
	br.ret.sptk.many b0
	;;
	.endp fw_write

// fw_exit(code): power off with the user task's exit code
	.global fw_exit
	.proc fw_exit
fw_exit:
	alloc r2 = ar.pfs, 1, 0, 1, 0
	mov r15 = NR_EXIT
	;;
	mov out0 = r32
	mov cr.iva = r0
	;;
	srlz.i
	;;
	break 0x100000
	;;
	.endp fw_exit

// kprintf_lx(label, len, value): print "<label>0x<value in hex>\n"
	.global kprintf_lx
	.proc kprintf_lx
kprintf_lx:
	.prologue
	.save ar.pfs, r35
	alloc r35 = ar.pfs, 3, 3, 2, 0
	.save rp, r36
	mov r36 = b0
	.body
	;;
	movl r37 = linebuf
	mov r14 = 0
	;;
	mov r17 = r37
1:	cmp.ge p6, p0 = r14, r33
(p6)	br.cond.spnt.many 2f
	add r15 = r32, r14
	;;
	ld1 r16 = [r15]
	adds r14 = 1, r14
	;;
	st1 [r17] = r16, 1
	br.sptk.many 1b
	;;
2:	mov r18 = 0x30			// '0'
	mov r19 = 0x78			// 'x'
	;;
	st1 [r17] = r18, 1
	;;
	st1 [r17] = r19, 1
	mov r20 = 60			// shift
	mov r21 = 0			// a digit was printed
	movl r22 = hexdigits
	;;
3:	shr.u r23 = r34, r20
	;;
	and r23 = 15, r23
	cmp.eq p7, p0 = r20, r0
	;;
	cmp.ne p6, p0 = r23, r0
(p7)	mov r21 = 1
	;;
(p6)	mov r21 = 1
	add r24 = r22, r23
	;;
	cmp.ne p8, p0 = r21, r0
	;;
(p8)	ld1 r25 = [r24]
	;;
(p8)	st1 [r17] = r25, 1
	adds r20 = -4, r20
	;;
	cmp.le p9, p0 = r0, r20
(p9)	br.cond.sptk.many 3b
	;;
	mov r18 = 10			// '\n'
	;;
	st1 [r17] = r18, 1
	;;
	mov out0 = r37
	sub out1 = r17, r37
	br.call.sptk.many b0 = fw_write
	;;
	mov ar.pfs = r35
	mov b0 = r36
	br.ret.sptk.many b0
	;;
	.endp kprintf_lx

// ============================================================ gate page ====
// __kernel_syscall_via_epc (facts §4.1 gate.S): the user br.calls here with b6 = its
// return address; epc raises cpl to 0 on this promote page, then on to the kernel.
	.section .gate, "ax"
	.global __kernel_syscall_via_epc
__kernel_syscall_via_epc:
	{ .mib
	nop.m 0
	mov r10 = 0
	epc
	;;
	}
	{ .mlx
	nop.m 0
	movl r16 = fsys_entry
	;;
	}
	{ .mib
	nop.m 0
	mov b7 = r16
	nop.b 0
	;;
	}
	{ .mib
	nop.m 0
	nop.i 0
	br.sptk.many b7
	;;
	}

// ============================================================ user stacks ====
	.section .ubss, "aw", @nobits
	.align 16
	.global user_rbs, user_stack_top
user_rbs:	.skip 0x10000
user_stack:	.skip 0x10000
user_stack_top:
