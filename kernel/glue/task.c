// SPDX-License-Identifier: GPL-2.0
/* The calling task, for the C++ core's long loops. */
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "glue.h"

void crono_kcond_resched(void)
{
	cond_resched();
}

int crono_kfatal_signal_pending(void)
{
	return fatal_signal_pending(current);
}
