// page-poison: mmap(MAP_FIXED) one page at 0x2000000000000400; the kernel populates it
// through the task's page directory (pgd[0] -> pte table, entry 1).
	.explicit
	.section .utext, "ax"
	.global user_main
user_main:
	alloc r32 = ar.pfs, 0, 2, 6, 0
	movl r34 = 0x2000000000000400	// addr
	mov r35 = 0x400			// length
	mov r36 = 3			// PROT_READ | PROT_WRITE
	mov r37 = 0x30			// MAP_FIXED | MAP_ANONYMOUS
	mov r38 = -1
	mov r39 = 0
	mov r15 = 1151			// mmap
	;;
	break 0x100000
	;;
	mov r34 = 0
	mov r15 = 1025			// exit(0)
	;;
	break 0x100000
	;;
