// kernel_null: a kernel-mode image (linked in region 5, runs at cpl 0 with no
// interruption vector table) that dereferences a NULL struct pointer three calls deep.
// The emulator ends the run as Linux die() would: "Unable to handle kernel NULL
// pointer dereference (address 0000000000000338)", the Oops header with cr.isr, the
// registers, and a Call Trace unwound through the frames below.
	.explicit
	.text
	.global start_kernel
	.proc start_kernel
start_kernel:
	.prologue
	.save ar.pfs, r32
	alloc r32 = ar.pfs, 0, 3, 1, 0
	.save rp, r33
	mov r33 = b0
	.fframe 32
	adds r12 = -32, r12
	;;
	.body
	mov out0 = 0			// the NULL device
	br.call.sptk.many b0 = probe_device
	;;
	.restore sp
	adds r12 = 32, r12
	mov ar.pfs = r32
	mov b0 = r33
	br.ret.sptk.many b0
	;;
	.endp start_kernel

	.global probe_device
	.proc probe_device
probe_device:
	.prologue
	.save ar.pfs, r33
	alloc r33 = ar.pfs, 1, 3, 1, 0
	.save rp, r34
	mov r34 = b0
	;;
	.body
	adds out0 = 0x338, in0		// &dev->status
	mov r35 = 0x5a5a
	br.call.sptk.many b0 = read_status
	;;
	mov ar.pfs = r33
	mov b0 = r34
	br.ret.sptk.many b0
	;;
	.endp probe_device

	.global read_status
	.proc read_status
read_status:
	.prologue
	.body
	mov r14 = 0x1234
	;;
	ld8 r8 = [r32]			// faults: address 0x338
	;;
	br.ret.sptk.many b0
	;;
	.endp read_status
