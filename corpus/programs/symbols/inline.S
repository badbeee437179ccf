// inline.S: a third compilation unit of kernel.elf whose DWARF is written by hand, because
// there is no ia64 C compiler to produce inlined subroutines.  It models this C source:
//
//   struct task_struct { long state; int pid; ...; int alloc_lock @0x5c8; ...;
//                        unsigned long ptrace_message @0x338; };
//   static inline void spin_lock(int *lock);                 // include/linux/spinlock.h:350
//   static inline void task_lock(struct task_struct *p)       // include/linux/sched/task.h:170
//   { spin_lock(&p->alloc_lock); }                            //   (task.h:172)
//   void ptrace_freeze(struct task_struct *child, unsigned long msg)   // kernel/signal.c:2200
//   { task_lock(child); child->ptrace_message = msg; ... }
//   long ptrace_peek(struct task_struct *task, long *where)   // kernel/signal.c:2220
//
// Line rows come from .loc directives (gas emits the line program); .debug_info and
// .debug_abbrev below are ours: DW_TAG_inlined_subroutine with DW_AT_call_file/line nested two
// deep, a struct type and functions with pointer parameters.

	// File 0 is the unit's primary file; the first function comes from a header (file 1)
	// like the kernel's trace-event stubs: binutils reports such rows, in a sequence that
	// never sets the file, against file 0.
	.file 0 "/usr/src/linux" "kernel/signal.c"
	.file 1 "include/trace/events/signal.h"
	.file 2 "include/linux/sched/task.h"
	.file 3 "include/linux/spinlock.h"
	.file 4 "kernel/signal.c"

	.text
	.align 32
	.global __traceiter_signal_generate
	.proc __traceiter_signal_generate
__traceiter_signal_generate:
	.loc 1 50
	.prologue
	.body
	mov r8 = r0
	br.ret.sptk.many b0
	.endp __traceiter_signal_generate

	.align 32
	.global ptrace_freeze
	.proc ptrace_freeze
ptrace_freeze:
	.loc 4 2201
	.prologue
	.save ar.pfs, r34
	alloc r34 = ar.pfs, 2, 2, 0, 0
	.body
	nop.i 0
	nop.i 0
	;;
.Ltask_lock_start:
.Lspin_lock_start:
	.loc 3 352
	adds r14 = 0x5c8, r32		// &child->alloc_lock
	;;
	.loc 3 353
	ld4 r15 = [r14]
	nop.i 0
	;;
	.loc 3 354
	adds r15 = 1, r15
	;;
	st4 [r14] = r15
	nop.i 0
	;;
.Lspin_lock_end:
	.loc 2 173
	nop.m 0
	mov r8 = r0
	nop.i 0
	;;
.Ltask_lock_end:
	.loc 4 2203
	adds r16 = 0x338, r32		// &child->ptrace_message
	;;
	st8 [r16] = r33
	.loc 4 2204
	mov ar.pfs = r34
	br.ret.sptk.many b0
	.endp ptrace_freeze
.Lptrace_freeze_end:

	.global ptrace_peek
	.proc ptrace_peek
ptrace_peek:
	.loc 4 2221
	.prologue
	.body
	adds r14 = 0x10, r32		// &task->pid
	;;
	ld4 r8 = [r14]
	;;
.Lpeek_spin_start:
	.loc 3 352
	ld8 r9 = [r33]
	;;
	.loc 3 354
	add r8 = r8, r9
	;;
.Lpeek_spin_end:
	.loc 4 2223
	movl r10 = 0x5a5a5a5a5a5a5a5a
	;;
	br.ret.sptk.many b0
	.endp ptrace_peek
.Lptrace_peek_end:

// ---------------------------------------------------------------------------------------

	.section .debug_abbrev,"",@progbits
.Ldebug_abbrev0:
	.uleb128 1, 0x11	// compile_unit
	data1 1			// has children
	.uleb128 0x25, 0x08	// producer, string
	.uleb128 0x13, 0x05	// language, data2
	.uleb128 0x03, 0x08	// name, string
	.uleb128 0x1b, 0x08	// comp_dir, string
	.uleb128 0x11, 0x01	// low_pc, addr
	.uleb128 0x12, 0x07	// high_pc, data8 (length, DWARF 4)
	.uleb128 0x10, 0x17	// stmt_list, sec_offset
	.uleb128 0, 0
	.uleb128 2, 0x13	// structure_type
	data1 1
	.uleb128 0x03, 0x08	// name
	.uleb128 0x0b, 0x05	// byte_size, data2
	.uleb128 0, 0
	.uleb128 3, 0x0d	// member
	data1 0
	.uleb128 0x03, 0x08	// name
	.uleb128 0x49, 0x13	// type, ref4
	.uleb128 0x38, 0x05	// data_member_location, data2
	.uleb128 0, 0
	.uleb128 4, 0x24	// base_type
	data1 0
	.uleb128 0x03, 0x08	// name
	.uleb128 0x0b, 0x0b	// byte_size, data1
	.uleb128 0x3e, 0x0b	// encoding, data1
	.uleb128 0, 0
	.uleb128 5, 0x0f	// pointer_type
	data1 0
	.uleb128 0x0b, 0x0b	// byte_size
	.uleb128 0x49, 0x13	// type, ref4
	.uleb128 0, 0
	.uleb128 6, 0x2e	// subprogram, abstract inline instance root
	data1 1
	.uleb128 0x03, 0x08	// name
	.uleb128 0x3a, 0x0b	// decl_file
	.uleb128 0x3b, 0x05	// decl_line, data2
	.uleb128 0x20, 0x0b	// inline, data1
	.uleb128 0, 0
	.uleb128 7, 0x05	// formal_parameter
	data1 0
	.uleb128 0x03, 0x08	// name
	.uleb128 0x49, 0x13	// type
	.uleb128 0, 0
	.uleb128 8, 0x2e	// subprogram, concrete out-of-line
	data1 1
	.uleb128 0x3f, 0x19	// external, flag_present
	.uleb128 0x03, 0x08	// name
	.uleb128 0x3a, 0x0b	// decl_file
	.uleb128 0x3b, 0x05	// decl_line
	.uleb128 0x11, 0x01	// low_pc
	.uleb128 0x12, 0x07	// high_pc, data8
	.uleb128 0, 0
	.uleb128 9, 0x1d	// inlined_subroutine
	data1 1
	.uleb128 0x31, 0x13	// abstract_origin, ref4
	.uleb128 0x11, 0x01	// low_pc
	.uleb128 0x12, 0x07	// high_pc, data8
	.uleb128 0x58, 0x0b	// call_file, data1
	.uleb128 0x59, 0x05	// call_line, data2
	.uleb128 0, 0
	.uleb128 10, 0x05	// formal_parameter of an inlined instance
	data1 0
	.uleb128 0x31, 0x13	// abstract_origin
	.uleb128 0, 0
	.uleb128 0

	.section .debug_line,"",@progbits
.Ldebug_line0:

	.section .debug_info,"",@progbits
.Lcu:
	data4.ua .Lcu_end - .Lcu_version
.Lcu_version:
	data2.ua 4
	data4.ua @secrel(.Ldebug_abbrev0)
	data1 8
	.uleb128 1
	stringz "hand-written DWARF for oopsy"
	data2.ua 0x0001			// DW_LANG_C89
	stringz "kernel/signal.c"
	stringz "/usr/src/linux"
	data8.ua __traceiter_signal_generate
	data8.ua .Lptrace_peek_end - __traceiter_signal_generate
	data4.ua @secrel(.Ldebug_line0)
.Ldie_long:
	.uleb128 4
	stringz "long int"
	data1 8, 0x05
.Ldie_int:
	.uleb128 4
	stringz "int"
	data1 4, 0x05
.Ldie_ulong:
	.uleb128 4
	stringz "long unsigned int"
	data1 8, 0x07
.Ldie_task:
	.uleb128 2
	stringz "task_struct"
	data2.ua 0x1a00
	.uleb128 3
	stringz "state"
	data4.ua .Ldie_long - .Lcu
	data2.ua 0x0
	.uleb128 3
	stringz "pid"
	data4.ua .Ldie_int - .Lcu
	data2.ua 0x10
	.uleb128 3
	stringz "ptrace_message"
	data4.ua .Ldie_ulong - .Lcu
	data2.ua 0x338
	.uleb128 3
	stringz "alloc_lock"
	data4.ua .Ldie_int - .Lcu
	data2.ua 0x5c8
	.uleb128 0
.Ldie_task_ptr:
	.uleb128 5
	data1 8
	data4.ua .Ldie_task - .Lcu
.Ldie_int_ptr:
	.uleb128 5
	data1 8
	data4.ua .Ldie_int - .Lcu
.Ldie_long_ptr:
	.uleb128 5
	data1 8
	data4.ua .Ldie_long - .Lcu
.Ldie_spin_lock:
	.uleb128 6
	stringz "spin_lock"
	data1 3
	data2.ua 350
	data1 3				// DW_INL_declared_inlined
.Ldie_spin_lock_arg:
	.uleb128 7
	stringz "lock"
	data4.ua .Ldie_int_ptr - .Lcu
	.uleb128 0
.Ldie_task_lock:
	.uleb128 6
	stringz "task_lock"
	data1 2
	data2.ua 170
	data1 3
.Ldie_task_lock_arg:
	.uleb128 7
	stringz "p"
	data4.ua .Ldie_task_ptr - .Lcu
	.uleb128 0
	// void ptrace_freeze(struct task_struct *child, unsigned long msg)
	.uleb128 8
	stringz "ptrace_freeze"
	data1 4
	data2.ua 2200
	data8.ua ptrace_freeze
	data8.ua .Lptrace_freeze_end - ptrace_freeze
	.uleb128 7
	stringz "child"
	data4.ua .Ldie_task_ptr - .Lcu
	.uleb128 7
	stringz "msg"
	data4.ua .Ldie_ulong - .Lcu
	.uleb128 9			// task_lock(child) at signal.c:2202
	data4.ua .Ldie_task_lock - .Lcu
	data8.ua .Ltask_lock_start
	data8.ua .Ltask_lock_end - .Ltask_lock_start
	data1 4
	data2.ua 2202
	.uleb128 10
	data4.ua .Ldie_task_lock_arg - .Lcu
	.uleb128 9			// spin_lock(&p->alloc_lock) at task.h:172
	data4.ua .Ldie_spin_lock - .Lcu
	data8.ua .Lspin_lock_start
	data8.ua .Lspin_lock_end - .Lspin_lock_start
	data1 2
	data2.ua 172
	.uleb128 10
	data4.ua .Ldie_spin_lock_arg - .Lcu
	.uleb128 0			// end spin_lock instance
	.uleb128 0			// end task_lock instance
	.uleb128 0			// end ptrace_freeze
	// long ptrace_peek(struct task_struct *task, long *where)
	.uleb128 8
	stringz "ptrace_peek"
	data1 4
	data2.ua 2220
	data8.ua ptrace_peek
	data8.ua .Lptrace_peek_end - ptrace_peek
	.uleb128 7
	stringz "task"
	data4.ua .Ldie_task_ptr - .Lcu
	.uleb128 7
	stringz "where"
	data4.ua .Ldie_long_ptr - .Lcu
	.uleb128 9			// spin_lock(...) at signal.c:2222
	data4.ua .Ldie_spin_lock - .Lcu
	data8.ua .Lpeek_spin_start
	data8.ua .Lpeek_spin_end - .Lpeek_spin_start
	data1 4
	data2.ua 2222
	.uleb128 0
	.uleb128 0			// end ptrace_peek
	.uleb128 0			// end compile_unit
.Lcu_end:
