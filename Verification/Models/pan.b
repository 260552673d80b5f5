	switch (t->back) {
	default: Uerror("bad return move");
	case  0: goto R999; /* nothing to undo */

		 /* PROC :init: */

	case 3: // STATE 1
		;
		;
		delproc(0, now._nr_pr-1);
		;
		goto R999;

	case 4: // STATE 2
		;
		;
		delproc(0, now._nr_pr-1);
		;
		goto R999;

	case 5: // STATE 3
		;
		;
		delproc(0, now._nr_pr-1);
		;
		goto R999;

	case 6: // STATE 5
		;
		p_restor(II);
		;
		;
		goto R999;

		 /* PROC Monitor */
;
		;
		;
		;
		
	case 9: // STATE 3
		;
		p_restor(II);
		;
		;
		goto R999;

		 /* PROC Setter */

	case 10: // STATE 1
		;
		now.flag[ Index(((P1 *)_this)->me, 2) ] = trpt->bup.oval;
		;
		goto R999;

	case 11: // STATE 3
		;
		now.word = trpt->bup.ovals[1];
		((P1 *)_this)->old = trpt->bup.ovals[0];
		;
		ungrab_ints(trpt->bup.ovals, 2);
		goto R999;

	case 12: // STATE 5
		;
	/* 0 */	((P1 *)_this)->old = trpt->bup.oval;
		;
		;
		goto R999;

	case 13: // STATE 22
		;
		((P1 *)_this)->old = trpt->bup.ovals[1];
		now.blocked[0] = trpt->bup.ovals[0];
		;
		ungrab_ints(trpt->bup.ovals, 2);
		goto R999;

	case 14: // STATE 22
		;
		((P1 *)_this)->old = trpt->bup.ovals[1];
		now.blocked[1] = trpt->bup.ovals[0];
		;
		ungrab_ints(trpt->bup.ovals, 2);
		goto R999;
;
		;
		
	case 16: // STATE 22
		;
		((P1 *)_this)->old = trpt->bup.oval;
		;
		goto R999;

	case 17: // STATE 22
		;
		((P1 *)_this)->old = trpt->bup.oval;
		;
		goto R999;

	case 18: // STATE 22
		;
		((P1 *)_this)->old = trpt->bup.oval;
		;
		goto R999;

	case 19: // STATE 25
		;
		now.latch[ Index(((P1 *)_this)->me, 2) ] = trpt->bup.ovals[1];
		((P1 *)_this)->previous = trpt->bup.ovals[0];
		;
		ungrab_ints(trpt->bup.ovals, 3);
		goto R999;

	case 20: // STATE 28
		;
		p_restor(II);
		;
		;
		goto R999;

		 /* PROC Waiter */
;
		;
		
	case 22: // STATE 6
		;
		((P0 *)_this)->taken = trpt->bup.ovals[1];
		now.word = trpt->bup.ovals[0];
		;
		ungrab_ints(trpt->bup.ovals, 2);
		goto R999;
;
		
	case 23: // STATE 10
		goto R999;

	case 24: // STATE 8
		;
		((P0 *)_this)->taken = trpt->bup.oval;
		;
		goto R999;
;
		;
		
	case 26: // STATE 14
		;
		now.word = trpt->bup.oval;
		;
		goto R999;
;
		
	case 27: // STATE 20
		goto R999;

	case 28: // STATE 18
		;
		((P0 *)_this)->taken = trpt->bup.ovals[1];
		now.word = trpt->bup.ovals[0];
		;
		ungrab_ints(trpt->bup.ovals, 2);
		goto R999;

	case 29: // STATE 48
		;
		((P0 *)_this)->taken = trpt->bup.ovals[1];
	/* 0 */	((P0 *)_this)->taken = trpt->bup.ovals[0];
		;
		;
		ungrab_ints(trpt->bup.ovals, 2);
		goto R999;

	case 30: // STATE 26
		;
		now.blocked[ Index(((P0 *)_this)->me, 2) ] = trpt->bup.oval;
		;
		goto R999;
;
		
	case 31: // STATE 30
		goto R999;
;
		
	case 32: // STATE 28
		goto R999;
;
		;
		
	case 34: // STATE 35
		;
		((P0 *)_this)->taken = trpt->bup.ovals[1];
		now.word = trpt->bup.ovals[0];
		;
		ungrab_ints(trpt->bup.ovals, 2);
		goto R999;
;
		
	case 35: // STATE 39
		goto R999;
;
		
	case 36: // STATE 37
		goto R999;

	case 37: // STATE 48
		;
		((P0 *)_this)->taken = trpt->bup.oval;
		;
		goto R999;

	case 38: // STATE 48
		;
		((P0 *)_this)->taken = trpt->bup.oval;
		;
		goto R999;

	case 39: // STATE 53
		;
	/* 0 */	((P0 *)_this)->me = trpt->bup.oval;
		;
		;
		goto R999;

	case 40: // STATE 60
		;
		now.latch[ Index(((P0 *)_this)->me, 2) ] = trpt->bup.oval;
		;
		goto R999;
;
		
	case 41: // STATE 64
		goto R999;
;
		
	case 42: // STATE 62
		goto R999;

	case 43: // STATE 66
		;
	/* 0 */	((P0 *)_this)->me = trpt->bup.oval;
		;
		;
		goto R999;

	case 44: // STATE 71
		;
		((P0 *)_this)->taken = trpt->bup.ovals[1];
		now.word = trpt->bup.ovals[0];
		;
		ungrab_ints(trpt->bup.ovals, 2);
		goto R999;
;
		
	case 45: // STATE 75
		goto R999;

	case 46: // STATE 73
		;
		((P0 *)_this)->taken = trpt->bup.oval;
		;
		goto R999;
;
		;
		
	case 48: // STATE 79
		;
		now.word = trpt->bup.oval;
		;
		goto R999;
;
		
	case 49: // STATE 85
		goto R999;

	case 50: // STATE 83
		;
		((P0 *)_this)->taken = trpt->bup.ovals[1];
		now.word = trpt->bup.ovals[0];
		;
		ungrab_ints(trpt->bup.ovals, 2);
		goto R999;

	case 51: // STATE 113
		;
		((P0 *)_this)->taken = trpt->bup.ovals[1];
	/* 0 */	((P0 *)_this)->taken = trpt->bup.ovals[0];
		;
		;
		ungrab_ints(trpt->bup.ovals, 2);
		goto R999;

	case 52: // STATE 91
		;
		now.blocked[ Index(((P0 *)_this)->me, 2) ] = trpt->bup.oval;
		;
		goto R999;
;
		
	case 53: // STATE 95
		goto R999;
;
		
	case 54: // STATE 93
		goto R999;
;
		;
		
	case 56: // STATE 100
		;
		((P0 *)_this)->taken = trpt->bup.ovals[1];
		now.word = trpt->bup.ovals[0];
		;
		ungrab_ints(trpt->bup.ovals, 2);
		goto R999;
;
		
	case 57: // STATE 104
		goto R999;
;
		
	case 58: // STATE 102
		goto R999;

	case 59: // STATE 113
		;
		((P0 *)_this)->taken = trpt->bup.oval;
		;
		goto R999;

	case 60: // STATE 113
		;
		((P0 *)_this)->taken = trpt->bup.oval;
		;
		goto R999;

	case 61: // STATE 118
		;
		now.finished = trpt->bup.oval;
		;
		goto R999;

	case 62: // STATE 119
		;
		p_restor(II);
		;
		;
		goto R999;
	}

