// flushrs: fill 70 stacked registers of _start with 0x1000 + i (r40 a NaT from a
// deferred ld8.s), call a function that runs flushrs and then reads the backing store
// with ordinary loads: r8 = sum of the 70 words, r9 = the NaT collection word at slot
// 0x3f (bit 8 = r40's NaT), r10 = ar.bspstore, r11 = ar.bsp (equal after flushrs).
// (The register initialisations are a generated block of plain movs.)
	.explicit
	.text
	.global _start
	.proc _start
_start:
	.prologue
	.save ar.pfs, r32
	alloc r32 = ar.pfs, 0, 70, 1, 0	// r32-r101 locals, out0 = r102
	.body
	mov r14 = 8
	;;
	mov r33 = 0x1001
	mov r34 = 0x1002
	;;
	mov r35 = 0x1003
	mov r36 = 0x1004
	;;
	mov r37 = 0x1005
	mov r38 = 0x1006
	;;
	mov r39 = 0x1007
	ld8.s r40 = [r14]		// unmapped: deferred, r40 = NaT
	;;
	mov r41 = 0x1009
	mov r42 = 0x100a
	;;
	mov r43 = 0x100b
	mov r44 = 0x100c
	;;
	mov r45 = 0x100d
	mov r46 = 0x100e
	;;
	mov r47 = 0x100f
	mov r48 = 0x1010
	;;
	mov r49 = 0x1011
	mov r50 = 0x1012
	;;
	mov r51 = 0x1013
	mov r52 = 0x1014
	;;
	mov r53 = 0x1015
	mov r54 = 0x1016
	;;
	mov r55 = 0x1017
	mov r56 = 0x1018
	;;
	mov r57 = 0x1019
	mov r58 = 0x101a
	;;
	mov r59 = 0x101b
	mov r60 = 0x101c
	;;
	mov r61 = 0x101d
	mov r62 = 0x101e
	;;
	mov r63 = 0x101f
	mov r64 = 0x1020
	;;
	mov r65 = 0x1021
	mov r66 = 0x1022
	;;
	mov r67 = 0x1023
	mov r68 = 0x1024
	;;
	mov r69 = 0x1025
	mov r70 = 0x1026
	;;
	mov r71 = 0x1027
	mov r72 = 0x1028
	;;
	mov r73 = 0x1029
	mov r74 = 0x102a
	;;
	mov r75 = 0x102b
	mov r76 = 0x102c
	;;
	mov r77 = 0x102d
	mov r78 = 0x102e
	;;
	mov r79 = 0x102f
	mov r80 = 0x1030
	;;
	mov r81 = 0x1031
	mov r82 = 0x1032
	;;
	mov r83 = 0x1033
	mov r84 = 0x1034
	;;
	mov r85 = 0x1035
	mov r86 = 0x1036
	;;
	mov r87 = 0x1037
	mov r88 = 0x1038
	;;
	mov r89 = 0x1039
	mov r90 = 0x103a
	;;
	mov r91 = 0x103b
	mov r92 = 0x103c
	;;
	mov r93 = 0x103d
	mov r94 = 0x103e
	;;
	mov r95 = 0x103f
	mov r96 = 0x1040
	;;
	mov r97 = 0x1041
	mov r98 = 0x1042
	;;
	mov r99 = 0x1043
	mov r100 = 0x1044
	;;
	mov r101 = 0x1045
	;;
	br.call.sptk.many b0 = dump
	;;
	mov r16 = r8
	mov r17 = r9
	mov r18 = r10
	mov r19 = r11
	mov out0 = 0
	mov r15 = 1025
	;;
	break 0x100000
	;;
	.endp _start

	.global dump
	.proc dump
dump:
	.prologue
	.body
	mov ar.rsc = 0			// enforced lazy: ar.bspstore is readable
	;;
	flushrs
	;;
	mov r10 = ar.bspstore
	mov r11 = ar.bsp
	mov r2 = ar.bspstore
	;;
	adds r2 = -8 * 71, r2		// 70 registers + 1 NaT collection slot below bspstore
	mov r8 = 0
	mov r9 = 0
	mov ar.lc = 70
	;;
.Lread:
	ld8 r3 = [r2], 8
	;;
	add r8 = r8, r3
	br.cloop.sptk.few .Lread
	;;
	adds r2 = -8 * 71 + 0x1f8, r2	// back to the base, then its slot 0x3f
	;;
	ld8 r9 = [r2]
	;;
	sub r8 = r8, r9			// the loop also summed the NaT collection word
	br.ret.sptk.many b0
	;;
	.endp dump
