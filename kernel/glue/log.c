// SPDX-License-Identifier: GPL-2.0
/*
 * Logging for the C++ core: device-prefixed lines, debug ones under dynamic
 * debug ("module crono_pci_drvmod +p").
 */
#include <linux/device.h>
#include <linux/printk.h>

#include "glue.h"

static const char *const crono_kern_levels[] = {
	[CRONO_LOG_ERR] = KERN_ERR,
	[CRONO_LOG_WARN] = KERN_WARNING,
	[CRONO_LOG_INFO] = KERN_INFO,
};

void crono_klog(const struct crono_pci *pci, enum crono_log_level level,
		const char *fmt, ...)
{
	struct device *dev = pci ? crono_dev(pci) : NULL;
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	if (level == CRONO_LOG_DEBUG) {
		if (dev)
			dev_dbg(dev, "%pV", &vaf);
		else
			pr_debug(KBUILD_MODNAME ": %pV", &vaf);
	} else if (dev) {
		dev_printk(crono_kern_levels[level], dev, "%pV", &vaf);
	} else if (level == CRONO_LOG_ERR) {
		/* Module-wide events: the level must start the format. */
		pr_err(KBUILD_MODNAME ": %pV", &vaf);
	} else if (level == CRONO_LOG_WARN) {
		pr_warn(KBUILD_MODNAME ": %pV", &vaf);
	} else {
		pr_info(KBUILD_MODNAME ": %pV", &vaf);
	}
	va_end(args);
}
