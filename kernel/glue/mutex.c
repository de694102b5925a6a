// SPDX-License-Identifier: GPL-2.0
/* Sleeping locks for the C++ core, one lockdep class per kind of lock. */
#include <linux/mutex.h>
#include <linux/slab.h>

#include "glue.h"

static struct lock_class_key crono_lock_keys[CRONO_LOCK_CLASS_COUNT];
static const char *const crono_lock_names[CRONO_LOCK_CLASS_COUNT] = {
	[CRONO_LOCK_REGISTRY] = "crono_registry",
	[CRONO_LOCK_BOARD] = "crono_board",
	[CRONO_LOCK_OPEN] = "crono_open",
	[CRONO_LOCK_MAPPINGS] = "crono_mappings",
};

struct crono_mutex {
	struct mutex lock;
};

struct crono_mutex *crono_kmutex_create(enum crono_lock_class cls)
{
	struct crono_mutex *m = kmalloc(sizeof(*m), GFP_KERNEL);

	if (m)
		__mutex_init(&m->lock, crono_lock_names[cls],
			     &crono_lock_keys[cls]);
	return m;
}

void crono_kmutex_destroy(struct crono_mutex *m)
{
	mutex_destroy(&m->lock);
	kfree(m);
}

void crono_kmutex_lock(struct crono_mutex *m)
{
	mutex_lock(&m->lock);
}

void crono_kmutex_unlock(struct crono_mutex *m)
{
	mutex_unlock(&m->lock);
}
