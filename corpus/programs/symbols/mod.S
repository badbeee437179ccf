// mod.S: the text of a small module, demo.ko (relocatable, built with ld -r).
	.text
	.align 32
	.global demo_init
	.proc demo_init
demo_init:
	.prologue
	.save ar.pfs, r34
	alloc r34 = ar.pfs, 0, 3, 1, 0
	.save rp, r33
	mov r33 = b0
	.body
	mov r35 = 0
	;;
	br.call.sptk.many b0 = demo_poke
	;;
	mov ar.pfs = r34
	mov b0 = r33
	br.ret.sptk.many b0
	.endp demo_init

	.global demo_poke
	.proc demo_poke
demo_poke:
	.prologue
	.body
	movl r14 = 0xaaaaaaaaaaaaaaaa
	;;
	ld8 r8 = [r14]
	br.ret.sptk.many b0
	.endp demo_poke
