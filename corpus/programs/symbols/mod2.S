// mod2.S: a second unit of demo.ko.
	.text
	.align 32
	.global demo_exit
	.proc demo_exit
demo_exit:
	.prologue
	.body
	mov r8 = r0
	;;
	adds r8 = 42, r8
	br.ret.sptk.many b0
	.endp demo_exit
