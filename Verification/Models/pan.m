#define rand	pan_rand
#define pthread_equal(a,b)	((a)==(b))
#if defined(HAS_CODE) && defined(VERBOSE)
	#ifdef BFS_PAR
		bfs_printf("Pr: %d Tr: %d\n", II, t->forw);
	#else
		cpu_printf("Pr: %d Tr: %d\n", II, t->forw);
	#endif
#endif
	switch (t->forw) {
	default: Uerror("bad forward move");
	case 0:	/* if without executable clauses */
		continue;
	case 1: /* generic 'goto' or 'skip' */
		IfNotBlocked
		_m = 3; goto P999;
	case 2: /* generic 'else' */
		IfNotBlocked
		if (trpt->o_pm&1) continue;
		_m = 3; goto P999;

		 /* PROC :init: */
	case 3: // STATE 1 - blocking-wait.pml:130 - [(run Waiter(0))] (0:0:0 - 1)
		IfNotBlocked
		reached[3][1] = 1;
		if (!(addproc(II, 1, 0, 0)))
			continue;
		_m = 3; goto P999; /* 0 */
	case 4: // STATE 2 - blocking-wait.pml:131 - [(run Setter(0))] (0:0:0 - 1)
		IfNotBlocked
		reached[3][2] = 1;
		if (!(addproc(II, 1, 1, 0)))
			continue;
		_m = 3; goto P999; /* 0 */
	case 5: // STATE 3 - blocking-wait.pml:136 - [(run Monitor())] (0:0:0 - 1)
		IfNotBlocked
		reached[3][3] = 1;
		if (!(addproc(II, 1, 2, 0)))
			continue;
		_m = 3; goto P999; /* 0 */
	case 6: // STATE 5 - blocking-wait.pml:138 - [-end-] (0:0:0 - 1)
		IfNotBlocked
		reached[3][5] = 1;
		if (!delproc(1, II)) continue;
		_m = 3; goto P999; /* 0 */

		 /* PROC Monitor */
	case 7: // STATE 1 - blocking-wait.pml:124 - [(timeout)] (0:0:0 - 1)
		IfNotBlocked
		reached[2][1] = 1;
		if (!(((trpt->tau)&1)))
			continue;
		_m = 1; goto P999; /* 0 */
	case 8: // STATE 2 - blocking-wait.pml:124 - [assert((finished==1))] (0:0:0 - 1)
		IfNotBlocked
		reached[2][2] = 1;
		spin_assert((((int)now.finished)==1), "(finished==1)", II, tt, t);
		_m = 3; goto P999; /* 0 */
	case 9: // STATE 3 - blocking-wait.pml:126 - [-end-] (0:0:0 - 1)
		IfNotBlocked
		reached[2][3] = 1;
		if (!delproc(1, II)) continue;
		_m = 3; goto P999; /* 0 */

		 /* PROC Setter */
	case 10: // STATE 1 - blocking-wait.pml:107 - [flag[me] = 1] (0:0:1 - 1)
		IfNotBlocked
		reached[1][1] = 1;
		(trpt+1)->bup.oval = ((int)now.flag[ Index(((int)((P1 *)_this)->me), 2) ]);
		now.flag[ Index(((P1 *)_this)->me, 2) ] = 1;
#ifdef VAR_RANGES
		logval("flag[Setter:me]", ((int)now.flag[ Index(((int)((P1 *)_this)->me), 2) ]));
#endif
		;
		_m = 3; goto P999; /* 0 */
	case 11: // STATE 2 - blocking-wait.pml:46 - [old = word] (0:20:2 - 1)
		IfNotBlocked
		reached[1][2] = 1;
		(trpt+1)->bup.ovals = grab_ints(2);
		(trpt+1)->bup.ovals[0] = ((int)((P1 *)_this)->old);
		((P1 *)_this)->old = ((int)now.word);
#ifdef VAR_RANGES
		logval("Setter:old", ((int)((P1 *)_this)->old));
#endif
		;
		/* merge: word = 2(20, 3, 20) */
		reached[1][3] = 1;
		(trpt+1)->bup.ovals[1] = ((int)now.word);
		now.word = 2;
#ifdef VAR_RANGES
		logval("word", ((int)now.word));
#endif
		;
		_m = 3; goto P999; /* 1 */
	case 12: // STATE 5 - blocking-wait.pml:48 - [((old==1))] (0:0:1 - 1)
		IfNotBlocked
		reached[1][5] = 1;
		if (!((((int)((P1 *)_this)->old)==1)))
			continue;
		if (TstOnly) return 1; /* TT */
		/* dead 1: old */  (trpt+1)->bup.oval = ((P1 *)_this)->old;
#ifdef HAS_CODE
		if (!readtrail)
#endif
			((P1 *)_this)->old = 0;
		_m = 3; goto P999; /* 0 */
	case 13: // STATE 6 - blocking-wait.pml:39 - [(blocked[0])] (26:0:2 - 1)
		IfNotBlocked
		reached[1][6] = 1;
		if (!(((int)now.blocked[0])))
			continue;
		/* merge: blocked[0] = 0(26, 7, 26) */
		reached[1][7] = 1;
		(trpt+1)->bup.ovals = grab_ints(2);
		(trpt+1)->bup.ovals[0] = ((int)now.blocked[0]);
		now.blocked[0] = 0;
#ifdef VAR_RANGES
		logval("blocked[0]", ((int)now.blocked[0]));
#endif
		;
		/* merge: .(goto)(26, 16, 26) */
		reached[1][16] = 1;
		;
		/* merge: .(goto)(26, 21, 26) */
		reached[1][21] = 1;
		;
		/* merge: old = 0(26, 22, 26) */
		reached[1][22] = 1;
		(trpt+1)->bup.ovals[1] = ((int)((P1 *)_this)->old);
		((P1 *)_this)->old = 0;
#ifdef VAR_RANGES
		logval("Setter:old", ((int)((P1 *)_this)->old));
#endif
		;
		_m = 3; goto P999; /* 4 */
	case 14: // STATE 9 - blocking-wait.pml:40 - [(blocked[1])] (26:0:2 - 1)
		IfNotBlocked
		reached[1][9] = 1;
		if (!(((int)now.blocked[1])))
			continue;
		/* merge: blocked[1] = 0(26, 10, 26) */
		reached[1][10] = 1;
		(trpt+1)->bup.ovals = grab_ints(2);
		(trpt+1)->bup.ovals[0] = ((int)now.blocked[1]);
		now.blocked[1] = 0;
#ifdef VAR_RANGES
		logval("blocked[1]", ((int)now.blocked[1]));
#endif
		;
		/* merge: .(goto)(26, 16, 26) */
		reached[1][16] = 1;
		;
		/* merge: .(goto)(26, 21, 26) */
		reached[1][21] = 1;
		;
		/* merge: old = 0(26, 22, 26) */
		reached[1][22] = 1;
		(trpt+1)->bup.ovals[1] = ((int)((P1 *)_this)->old);
		((P1 *)_this)->old = 0;
#ifdef VAR_RANGES
		logval("Setter:old", ((int)((P1 *)_this)->old));
#endif
		;
		_m = 3; goto P999; /* 4 */
	case 15: // STATE 12 - blocking-wait.pml:41 - [((!(blocked[0])&&!(blocked[1])))] (0:0:0 - 1)
		IfNotBlocked
		reached[1][12] = 1;
		if (!(( !(((int)now.blocked[0]))&& !(((int)now.blocked[1])))))
			continue;
		_m = 3; goto P999; /* 0 */
	case 16: // STATE 14 - blocking-wait.pml:41 - [(1)] (26:0:1 - 1)
		IfNotBlocked
		reached[1][14] = 1;
		if (!(1))
			continue;
		/* merge: .(goto)(26, 16, 26) */
		reached[1][16] = 1;
		;
		/* merge: .(goto)(26, 21, 26) */
		reached[1][21] = 1;
		;
		/* merge: old = 0(26, 22, 26) */
		reached[1][22] = 1;
		(trpt+1)->bup.oval = ((int)((P1 *)_this)->old);
		((P1 *)_this)->old = 0;
#ifdef VAR_RANGES
		logval("Setter:old", ((int)((P1 *)_this)->old));
#endif
		;
		_m = 3; goto P999; /* 3 */
	case 17: // STATE 19 - blocking-wait.pml:49 - [(1)] (26:0:1 - 1)
		IfNotBlocked
		reached[1][19] = 1;
		if (!(1))
			continue;
		/* merge: .(goto)(26, 21, 26) */
		reached[1][21] = 1;
		;
		/* merge: old = 0(26, 22, 26) */
		reached[1][22] = 1;
		(trpt+1)->bup.oval = ((int)((P1 *)_this)->old);
		((P1 *)_this)->old = 0;
#ifdef VAR_RANGES
		logval("Setter:old", ((int)((P1 *)_this)->old));
#endif
		;
		_m = 3; goto P999; /* 2 */
	case 18: // STATE 22 - blocking-wait.pml:51 - [old = 0] (0:26:1 - 6)
		IfNotBlocked
		reached[1][22] = 1;
		(trpt+1)->bup.oval = ((int)((P1 *)_this)->old);
		((P1 *)_this)->old = 0;
#ifdef VAR_RANGES
		logval("Setter:old", ((int)((P1 *)_this)->old));
#endif
		;
		_m = 3; goto P999; /* 0 */
	case 19: // STATE 24 - blocking-wait.pml:109 - [previous = latch[me]] (0:27:3 - 1)
		IfNotBlocked
		reached[1][24] = 1;
		(trpt+1)->bup.ovals = grab_ints(3);
		(trpt+1)->bup.ovals[0] = ((int)((P1 *)_this)->previous);
		((P1 *)_this)->previous = ((int)now.latch[ Index(((int)((P1 *)_this)->me), 2) ]);
#ifdef VAR_RANGES
		logval("Setter:previous", ((int)((P1 *)_this)->previous));
#endif
		;
		if (TstOnly) return 1; /* TT */
		/* dead 2: previous */  
#ifdef HAS_CODE
		if (!readtrail)
#endif
			((P1 *)_this)->previous = 0;
		/* merge: latch[me] = 2(27, 25, 27) */
		reached[1][25] = 1;
		(trpt+1)->bup.ovals[1] = ((int)now.latch[ Index(((int)((P1 *)_this)->me), 2) ]);
		now.latch[ Index(((P1 *)_this)->me, 2) ] = 2;
#ifdef VAR_RANGES
		logval("latch[Setter:me]", ((int)now.latch[ Index(((int)((P1 *)_this)->me), 2) ]));
#endif
		;
		_m = 3; goto P999; /* 1 */
	case 20: // STATE 28 - blocking-wait.pml:118 - [-end-] (0:0:0 - 1)
		IfNotBlocked
		reached[1][28] = 1;
		if (!delproc(1, II)) continue;
		_m = 3; goto P999; /* 0 */

		 /* PROC Waiter */
	case 21: // STATE 1 - blocking-wait.pml:88 - [(flag[me])] (0:0:0 - 1)
		IfNotBlocked
		reached[0][1] = 1;
		if (!(((int)now.flag[ Index(((int)((P0 *)_this)->me), 2) ])))
			continue;
		_m = 3; goto P999; /* 0 */
	case 22: // STATE 4 - blocking-wait.pml:57 - [((word==2))] (46:0:2 - 1)
		IfNotBlocked
		reached[0][4] = 1;
		if (!((((int)now.word)==2)))
			continue;
		/* merge: word = 0(46, 5, 46) */
		reached[0][5] = 1;
		(trpt+1)->bup.ovals = grab_ints(2);
		(trpt+1)->bup.ovals[0] = ((int)now.word);
		now.word = 0;
#ifdef VAR_RANGES
		logval("word", ((int)now.word));
#endif
		;
		/* merge: taken = 1(46, 6, 46) */
		reached[0][6] = 1;
		(trpt+1)->bup.ovals[1] = ((int)((P0 *)_this)->taken);
		((P0 *)_this)->taken = 1;
#ifdef VAR_RANGES
		logval("Waiter:taken", ((int)((P0 *)_this)->taken));
#endif
		;
		/* merge: .(goto)(46, 10, 46) */
		reached[0][10] = 1;
		;
		_m = 3; goto P999; /* 3 */
	case 23: // STATE 10 - blocking-wait.pml:60 - [.(goto)] (0:46:0 - 2)
		IfNotBlocked
		reached[0][10] = 1;
		;
		_m = 3; goto P999; /* 0 */
	case 24: // STATE 8 - blocking-wait.pml:58 - [taken = 0] (0:46:1 - 1)
		IfNotBlocked
		reached[0][8] = 1;
		(trpt+1)->bup.oval = ((int)((P0 *)_this)->taken);
		((P0 *)_this)->taken = 0;
#ifdef VAR_RANGES
		logval("Waiter:taken", ((int)((P0 *)_this)->taken));
#endif
		;
		/* merge: .(goto)(46, 10, 46) */
		reached[0][10] = 1;
		;
		_m = 3; goto P999; /* 1 */
	case 25: // STATE 12 - blocking-wait.pml:62 - [(!(taken))] (0:0:0 - 1)
		IfNotBlocked
		reached[0][12] = 1;
		if (!( !(((int)((P0 *)_this)->taken))))
			continue;
		_m = 3; goto P999; /* 0 */
	case 26: // STATE 13 - blocking-wait.pml:65 - [((word==0))] (41:0:1 - 1)
		IfNotBlocked
		reached[0][13] = 1;
		if (!((((int)now.word)==0)))
			continue;
		/* merge: word = 1(41, 14, 41) */
		reached[0][14] = 1;
		(trpt+1)->bup.oval = ((int)now.word);
		now.word = 1;
#ifdef VAR_RANGES
		logval("word", ((int)now.word));
#endif
		;
		/* merge: .(goto)(41, 20, 41) */
		reached[0][20] = 1;
		;
		/* merge: .(goto)(0, 42, 41) */
		reached[0][42] = 1;
		;
		_m = 3; goto P999; /* 3 */
	case 27: // STATE 20 - blocking-wait.pml:70 - [.(goto)] (0:41:0 - 2)
		IfNotBlocked
		reached[0][20] = 1;
		;
		/* merge: .(goto)(0, 42, 41) */
		reached[0][42] = 1;
		;
		_m = 3; goto P999; /* 1 */
	case 28: // STATE 16 - blocking-wait.pml:67 - [assert((word==2))] (0:41:2 - 1)
		IfNotBlocked
		reached[0][16] = 1;
		spin_assert((((int)now.word)==2), "(word==2)", II, tt, t);
		/* merge: word = 0(41, 17, 41) */
		reached[0][17] = 1;
		(trpt+1)->bup.ovals = grab_ints(2);
		(trpt+1)->bup.ovals[0] = ((int)now.word);
		now.word = 0;
#ifdef VAR_RANGES
		logval("word", ((int)now.word));
#endif
		;
		/* merge: taken = 1(41, 18, 41) */
		reached[0][18] = 1;
		(trpt+1)->bup.ovals[1] = ((int)((P0 *)_this)->taken);
		((P0 *)_this)->taken = 1;
#ifdef VAR_RANGES
		logval("Waiter:taken", ((int)((P0 *)_this)->taken));
#endif
		;
		/* merge: .(goto)(41, 20, 41) */
		reached[0][20] = 1;
		;
		/* merge: .(goto)(0, 42, 41) */
		reached[0][42] = 1;
		;
		_m = 3; goto P999; /* 4 */
	case 29: // STATE 22 - blocking-wait.pml:72 - [(taken)] (50:0:2 - 1)
		IfNotBlocked
		reached[0][22] = 1;
		if (!(((int)((P0 *)_this)->taken)))
			continue;
		if (TstOnly) return 1; /* TT */
		/* dead 1: taken */  (trpt+1)->bup.ovals = grab_ints(2);
		(trpt+1)->bup.ovals[0] = ((P0 *)_this)->taken;
#ifdef HAS_CODE
		if (!readtrail)
#endif
			((P0 *)_this)->taken = 0;
		/* merge: goto :b1(50, 23, 50) */
		reached[0][23] = 1;
		;
		/* merge: taken = 0(50, 48, 50) */
		reached[0][48] = 1;
		(trpt+1)->bup.ovals[1] = ((int)((P0 *)_this)->taken);
		((P0 *)_this)->taken = 0;
#ifdef VAR_RANGES
		logval("Waiter:taken", ((int)((P0 *)_this)->taken));
#endif
		;
		/* merge: .(goto)(0, 51, 50) */
		reached[0][51] = 1;
		;
		_m = 3; goto P999; /* 3 */
	case 30: // STATE 25 - blocking-wait.pml:75 - [((word==1))] (32:0:1 - 1)
		IfNotBlocked
		reached[0][25] = 1;
		if (!((((int)now.word)==1)))
			continue;
		/* merge: blocked[me] = 1(32, 26, 32) */
		reached[0][26] = 1;
		(trpt+1)->bup.oval = ((int)now.blocked[ Index(((int)((P0 *)_this)->me), 2) ]);
		now.blocked[ Index(((P0 *)_this)->me, 2) ] = 1;
#ifdef VAR_RANGES
		logval("blocked[Waiter:me]", ((int)now.blocked[ Index(((int)((P0 *)_this)->me), 2) ]));
#endif
		;
		/* merge: .(goto)(32, 30, 32) */
		reached[0][30] = 1;
		;
		_m = 3; goto P999; /* 2 */
	case 31: // STATE 30 - blocking-wait.pml:75 - [.(goto)] (0:32:0 - 2)
		IfNotBlocked
		reached[0][30] = 1;
		;
		_m = 3; goto P999; /* 0 */
	case 32: // STATE 28 - blocking-wait.pml:75 - [(1)] (32:0:0 - 1)
		IfNotBlocked
		reached[0][28] = 1;
		if (!(1))
			continue;
		/* merge: .(goto)(32, 30, 32) */
		reached[0][30] = 1;
		;
		_m = 3; goto P999; /* 1 */
	case 33: // STATE 32 - blocking-wait.pml:76 - [(!(blocked[me]))] (0:0:0 - 1)
		IfNotBlocked
		reached[0][32] = 1;
		if (!( !(((int)now.blocked[ Index(((int)((P0 *)_this)->me), 2) ]))))
			continue;
		_m = 3; goto P999; /* 0 */
	case 34: // STATE 33 - blocking-wait.pml:77 - [((word==2))] (41:0:2 - 1)
		IfNotBlocked
		reached[0][33] = 1;
		if (!((((int)now.word)==2)))
			continue;
		/* merge: word = 0(41, 34, 41) */
		reached[0][34] = 1;
		(trpt+1)->bup.ovals = grab_ints(2);
		(trpt+1)->bup.ovals[0] = ((int)now.word);
		now.word = 0;
#ifdef VAR_RANGES
		logval("word", ((int)now.word));
#endif
		;
		/* merge: taken = 1(41, 35, 41) */
		reached[0][35] = 1;
		(trpt+1)->bup.ovals[1] = ((int)((P0 *)_this)->taken);
		((P0 *)_this)->taken = 1;
#ifdef VAR_RANGES
		logval("Waiter:taken", ((int)((P0 *)_this)->taken));
#endif
		;
		/* merge: .(goto)(41, 39, 41) */
		reached[0][39] = 1;
		;
		/* merge: .(goto)(0, 42, 41) */
		reached[0][42] = 1;
		;
		_m = 3; goto P999; /* 4 */
	case 35: // STATE 39 - blocking-wait.pml:77 - [.(goto)] (0:41:0 - 2)
		IfNotBlocked
		reached[0][39] = 1;
		;
		/* merge: .(goto)(0, 42, 41) */
		reached[0][42] = 1;
		;
		_m = 3; goto P999; /* 1 */
	case 36: // STATE 37 - blocking-wait.pml:77 - [(1)] (41:0:0 - 1)
		IfNotBlocked
		reached[0][37] = 1;
		if (!(1))
			continue;
		/* merge: .(goto)(41, 39, 41) */
		reached[0][39] = 1;
		;
		/* merge: .(goto)(0, 42, 41) */
		reached[0][42] = 1;
		;
		_m = 3; goto P999; /* 2 */
	case 37: // STATE 45 - blocking-wait.pml:79 - [(1)] (50:0:1 - 1)
		IfNotBlocked
		reached[0][45] = 1;
		if (!(1))
			continue;
		/* merge: .(goto)(50, 47, 50) */
		reached[0][47] = 1;
		;
		/* merge: taken = 0(50, 48, 50) */
		reached[0][48] = 1;
		(trpt+1)->bup.oval = ((int)((P0 *)_this)->taken);
		((P0 *)_this)->taken = 0;
#ifdef VAR_RANGES
		logval("Waiter:taken", ((int)((P0 *)_this)->taken));
#endif
		;
		/* merge: .(goto)(0, 51, 50) */
		reached[0][51] = 1;
		;
		_m = 3; goto P999; /* 3 */
	case 38: // STATE 48 - blocking-wait.pml:81 - [taken = 0] (0:50:1 - 5)
		IfNotBlocked
		reached[0][48] = 1;
		(trpt+1)->bup.oval = ((int)((P0 *)_this)->taken);
		((P0 *)_this)->taken = 0;
#ifdef VAR_RANGES
		logval("Waiter:taken", ((int)((P0 *)_this)->taken));
#endif
		;
		/* merge: .(goto)(0, 51, 50) */
		reached[0][51] = 1;
		;
		_m = 3; goto P999; /* 1 */
	case 39: // STATE 53 - blocking-wait.pml:93 - [((latch[me]==2))] (0:0:1 - 1)
		IfNotBlocked
		reached[0][53] = 1;
		if (!((((int)now.latch[ Index(((int)((P0 *)_this)->me), 2) ])==2)))
			continue;
		if (TstOnly) return 1; /* TT */
		/* dead 1: me */  (trpt+1)->bup.oval = ((P0 *)_this)->me;
#ifdef HAS_CODE
		if (!readtrail)
#endif
			((P0 *)_this)->me = 0;
		_m = 3; goto P999; /* 0 */
	case 40: // STATE 59 - blocking-wait.pml:96 - [((latch[me]==0))] (115:0:1 - 1)
		IfNotBlocked
		reached[0][59] = 1;
		if (!((((int)now.latch[ Index(((int)((P0 *)_this)->me), 2) ])==0)))
			continue;
		/* merge: latch[me] = 1(115, 60, 115) */
		reached[0][60] = 1;
		(trpt+1)->bup.oval = ((int)now.latch[ Index(((int)((P0 *)_this)->me), 2) ]);
		now.latch[ Index(((P0 *)_this)->me, 2) ] = 1;
#ifdef VAR_RANGES
		logval("latch[Waiter:me]", ((int)now.latch[ Index(((int)((P0 *)_this)->me), 2) ]));
#endif
		;
		/* merge: .(goto)(115, 64, 115) */
		reached[0][64] = 1;
		;
		/* merge: .(goto)(0, 116, 115) */
		reached[0][116] = 1;
		;
		_m = 3; goto P999; /* 3 */
	case 41: // STATE 64 - blocking-wait.pml:96 - [.(goto)] (0:115:0 - 2)
		IfNotBlocked
		reached[0][64] = 1;
		;
		/* merge: .(goto)(0, 116, 115) */
		reached[0][116] = 1;
		;
		_m = 3; goto P999; /* 1 */
	case 42: // STATE 62 - blocking-wait.pml:96 - [(1)] (115:0:0 - 1)
		IfNotBlocked
		reached[0][62] = 1;
		if (!(1))
			continue;
		/* merge: .(goto)(115, 64, 115) */
		reached[0][64] = 1;
		;
		/* merge: .(goto)(0, 116, 115) */
		reached[0][116] = 1;
		;
		_m = 3; goto P999; /* 2 */
	case 43: // STATE 66 - blocking-wait.pml:98 - [((latch[me]==2))] (0:0:1 - 1)
		IfNotBlocked
		reached[0][66] = 1;
		if (!((((int)now.latch[ Index(((int)((P0 *)_this)->me), 2) ])==2)))
			continue;
		if (TstOnly) return 1; /* TT */
		/* dead 1: me */  (trpt+1)->bup.oval = ((P0 *)_this)->me;
#ifdef HAS_CODE
		if (!readtrail)
#endif
			((P0 *)_this)->me = 0;
		_m = 3; goto P999; /* 0 */
	case 44: // STATE 69 - blocking-wait.pml:57 - [((word==2))] (111:0:2 - 1)
		IfNotBlocked
		reached[0][69] = 1;
		if (!((((int)now.word)==2)))
			continue;
		/* merge: word = 0(111, 70, 111) */
		reached[0][70] = 1;
		(trpt+1)->bup.ovals = grab_ints(2);
		(trpt+1)->bup.ovals[0] = ((int)now.word);
		now.word = 0;
#ifdef VAR_RANGES
		logval("word", ((int)now.word));
#endif
		;
		/* merge: taken = 1(111, 71, 111) */
		reached[0][71] = 1;
		(trpt+1)->bup.ovals[1] = ((int)((P0 *)_this)->taken);
		((P0 *)_this)->taken = 1;
#ifdef VAR_RANGES
		logval("Waiter:taken", ((int)((P0 *)_this)->taken));
#endif
		;
		/* merge: .(goto)(111, 75, 111) */
		reached[0][75] = 1;
		;
		_m = 3; goto P999; /* 3 */
	case 45: // STATE 75 - blocking-wait.pml:60 - [.(goto)] (0:111:0 - 2)
		IfNotBlocked
		reached[0][75] = 1;
		;
		_m = 3; goto P999; /* 0 */
	case 46: // STATE 73 - blocking-wait.pml:58 - [taken = 0] (0:111:1 - 1)
		IfNotBlocked
		reached[0][73] = 1;
		(trpt+1)->bup.oval = ((int)((P0 *)_this)->taken);
		((P0 *)_this)->taken = 0;
#ifdef VAR_RANGES
		logval("Waiter:taken", ((int)((P0 *)_this)->taken));
#endif
		;
		/* merge: .(goto)(111, 75, 111) */
		reached[0][75] = 1;
		;
		_m = 3; goto P999; /* 1 */
	case 47: // STATE 77 - blocking-wait.pml:62 - [(!(taken))] (0:0:0 - 1)
		IfNotBlocked
		reached[0][77] = 1;
		if (!( !(((int)((P0 *)_this)->taken))))
			continue;
		_m = 3; goto P999; /* 0 */
	case 48: // STATE 78 - blocking-wait.pml:65 - [((word==0))] (106:0:1 - 1)
		IfNotBlocked
		reached[0][78] = 1;
		if (!((((int)now.word)==0)))
			continue;
		/* merge: word = 1(106, 79, 106) */
		reached[0][79] = 1;
		(trpt+1)->bup.oval = ((int)now.word);
		now.word = 1;
#ifdef VAR_RANGES
		logval("word", ((int)now.word));
#endif
		;
		/* merge: .(goto)(106, 85, 106) */
		reached[0][85] = 1;
		;
		/* merge: .(goto)(0, 107, 106) */
		reached[0][107] = 1;
		;
		_m = 3; goto P999; /* 3 */
	case 49: // STATE 85 - blocking-wait.pml:70 - [.(goto)] (0:106:0 - 2)
		IfNotBlocked
		reached[0][85] = 1;
		;
		/* merge: .(goto)(0, 107, 106) */
		reached[0][107] = 1;
		;
		_m = 3; goto P999; /* 1 */
	case 50: // STATE 81 - blocking-wait.pml:67 - [assert((word==2))] (0:106:2 - 1)
		IfNotBlocked
		reached[0][81] = 1;
		spin_assert((((int)now.word)==2), "(word==2)", II, tt, t);
		/* merge: word = 0(106, 82, 106) */
		reached[0][82] = 1;
		(trpt+1)->bup.ovals = grab_ints(2);
		(trpt+1)->bup.ovals[0] = ((int)now.word);
		now.word = 0;
#ifdef VAR_RANGES
		logval("word", ((int)now.word));
#endif
		;
		/* merge: taken = 1(106, 83, 106) */
		reached[0][83] = 1;
		(trpt+1)->bup.ovals[1] = ((int)((P0 *)_this)->taken);
		((P0 *)_this)->taken = 1;
#ifdef VAR_RANGES
		logval("Waiter:taken", ((int)((P0 *)_this)->taken));
#endif
		;
		/* merge: .(goto)(106, 85, 106) */
		reached[0][85] = 1;
		;
		/* merge: .(goto)(0, 107, 106) */
		reached[0][107] = 1;
		;
		_m = 3; goto P999; /* 4 */
	case 51: // STATE 87 - blocking-wait.pml:72 - [(taken)] (115:0:2 - 1)
		IfNotBlocked
		reached[0][87] = 1;
		if (!(((int)((P0 *)_this)->taken)))
			continue;
		if (TstOnly) return 1; /* TT */
		/* dead 1: taken */  (trpt+1)->bup.ovals = grab_ints(2);
		(trpt+1)->bup.ovals[0] = ((P0 *)_this)->taken;
#ifdef HAS_CODE
		if (!readtrail)
#endif
			((P0 *)_this)->taken = 0;
		/* merge: goto :b3(115, 88, 115) */
		reached[0][88] = 1;
		;
		/* merge: taken = 0(115, 113, 115) */
		reached[0][113] = 1;
		(trpt+1)->bup.ovals[1] = ((int)((P0 *)_this)->taken);
		((P0 *)_this)->taken = 0;
#ifdef VAR_RANGES
		logval("Waiter:taken", ((int)((P0 *)_this)->taken));
#endif
		;
		/* merge: .(goto)(0, 116, 115) */
		reached[0][116] = 1;
		;
		_m = 3; goto P999; /* 3 */
	case 52: // STATE 90 - blocking-wait.pml:75 - [((word==1))] (97:0:1 - 1)
		IfNotBlocked
		reached[0][90] = 1;
		if (!((((int)now.word)==1)))
			continue;
		/* merge: blocked[me] = 1(97, 91, 97) */
		reached[0][91] = 1;
		(trpt+1)->bup.oval = ((int)now.blocked[ Index(((int)((P0 *)_this)->me), 2) ]);
		now.blocked[ Index(((P0 *)_this)->me, 2) ] = 1;
#ifdef VAR_RANGES
		logval("blocked[Waiter:me]", ((int)now.blocked[ Index(((int)((P0 *)_this)->me), 2) ]));
#endif
		;
		/* merge: .(goto)(97, 95, 97) */
		reached[0][95] = 1;
		;
		_m = 3; goto P999; /* 2 */
	case 53: // STATE 95 - blocking-wait.pml:75 - [.(goto)] (0:97:0 - 2)
		IfNotBlocked
		reached[0][95] = 1;
		;
		_m = 3; goto P999; /* 0 */
	case 54: // STATE 93 - blocking-wait.pml:75 - [(1)] (97:0:0 - 1)
		IfNotBlocked
		reached[0][93] = 1;
		if (!(1))
			continue;
		/* merge: .(goto)(97, 95, 97) */
		reached[0][95] = 1;
		;
		_m = 3; goto P999; /* 1 */
	case 55: // STATE 97 - blocking-wait.pml:76 - [(!(blocked[me]))] (0:0:0 - 1)
		IfNotBlocked
		reached[0][97] = 1;
		if (!( !(((int)now.blocked[ Index(((int)((P0 *)_this)->me), 2) ]))))
			continue;
		_m = 3; goto P999; /* 0 */
	case 56: // STATE 98 - blocking-wait.pml:77 - [((word==2))] (106:0:2 - 1)
		IfNotBlocked
		reached[0][98] = 1;
		if (!((((int)now.word)==2)))
			continue;
		/* merge: word = 0(106, 99, 106) */
		reached[0][99] = 1;
		(trpt+1)->bup.ovals = grab_ints(2);
		(trpt+1)->bup.ovals[0] = ((int)now.word);
		now.word = 0;
#ifdef VAR_RANGES
		logval("word", ((int)now.word));
#endif
		;
		/* merge: taken = 1(106, 100, 106) */
		reached[0][100] = 1;
		(trpt+1)->bup.ovals[1] = ((int)((P0 *)_this)->taken);
		((P0 *)_this)->taken = 1;
#ifdef VAR_RANGES
		logval("Waiter:taken", ((int)((P0 *)_this)->taken));
#endif
		;
		/* merge: .(goto)(106, 104, 106) */
		reached[0][104] = 1;
		;
		/* merge: .(goto)(0, 107, 106) */
		reached[0][107] = 1;
		;
		_m = 3; goto P999; /* 4 */
	case 57: // STATE 104 - blocking-wait.pml:77 - [.(goto)] (0:106:0 - 2)
		IfNotBlocked
		reached[0][104] = 1;
		;
		/* merge: .(goto)(0, 107, 106) */
		reached[0][107] = 1;
		;
		_m = 3; goto P999; /* 1 */
	case 58: // STATE 102 - blocking-wait.pml:77 - [(1)] (106:0:0 - 1)
		IfNotBlocked
		reached[0][102] = 1;
		if (!(1))
			continue;
		/* merge: .(goto)(106, 104, 106) */
		reached[0][104] = 1;
		;
		/* merge: .(goto)(0, 107, 106) */
		reached[0][107] = 1;
		;
		_m = 3; goto P999; /* 2 */
	case 59: // STATE 110 - blocking-wait.pml:79 - [(1)] (115:0:1 - 1)
		IfNotBlocked
		reached[0][110] = 1;
		if (!(1))
			continue;
		/* merge: .(goto)(115, 112, 115) */
		reached[0][112] = 1;
		;
		/* merge: taken = 0(115, 113, 115) */
		reached[0][113] = 1;
		(trpt+1)->bup.oval = ((int)((P0 *)_this)->taken);
		((P0 *)_this)->taken = 0;
#ifdef VAR_RANGES
		logval("Waiter:taken", ((int)((P0 *)_this)->taken));
#endif
		;
		/* merge: .(goto)(0, 116, 115) */
		reached[0][116] = 1;
		;
		_m = 3; goto P999; /* 3 */
	case 60: // STATE 113 - blocking-wait.pml:81 - [taken = 0] (0:115:1 - 5)
		IfNotBlocked
		reached[0][113] = 1;
		(trpt+1)->bup.oval = ((int)((P0 *)_this)->taken);
		((P0 *)_this)->taken = 0;
#ifdef VAR_RANGES
		logval("Waiter:taken", ((int)((P0 *)_this)->taken));
#endif
		;
		/* merge: .(goto)(0, 116, 115) */
		reached[0][116] = 1;
		;
		_m = 3; goto P999; /* 1 */
	case 61: // STATE 118 - blocking-wait.pml:102 - [finished = (finished+1)] (0:0:1 - 5)
		IfNotBlocked
		reached[0][118] = 1;
		(trpt+1)->bup.oval = ((int)now.finished);
		now.finished = (((int)now.finished)+1);
#ifdef VAR_RANGES
		logval("finished", ((int)now.finished));
#endif
		;
		_m = 3; goto P999; /* 0 */
	case 62: // STATE 119 - blocking-wait.pml:103 - [-end-] (0:0:0 - 1)
		IfNotBlocked
		reached[0][119] = 1;
		if (!delproc(1, II)) continue;
		_m = 3; goto P999; /* 0 */
	case  _T5:	/* np_ */
		if (!((!(trpt->o_pm&4) && !(trpt->tau&128))))
			continue;
		/* else fall through */
	case  _T2:	/* true */
		_m = 3; goto P999;
#undef rand
	}

