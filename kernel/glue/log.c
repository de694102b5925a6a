// SPDX-License-Identifier: GPL-2.0
/*
 * Logging for the C++ core: device-prefixed lines, debug ones under dynamic
 * debug ("module crono_pci_drvmod +p").
 */
#include <linux/device.h>
#include <linux/printk.h>

#include "glue.h"

void crono_klog(const struct crono_pci *pci, enum crono_log_level level,
		const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	if (pci) {
		struct device *dev = crono_dev(pci);

		switch (level) {
		case CRONO_LOG_ERR:
			dev_err(dev, "%pV", &vaf);
			break;
		case CRONO_LOG_WARN:
			dev_warn(dev, "%pV", &vaf);
			break;
		case CRONO_LOG_INFO:
			dev_info(dev, "%pV", &vaf);
			break;
		case CRONO_LOG_DEBUG:
			dev_dbg(dev, "%pV", &vaf);
			break;
		}
	} else {
		switch (level) {
		case CRONO_LOG_ERR:
			pr_err(KBUILD_MODNAME ": %pV", &vaf);
			break;
		case CRONO_LOG_WARN:
			pr_warn(KBUILD_MODNAME ": %pV", &vaf);
			break;
		case CRONO_LOG_INFO:
			pr_info(KBUILD_MODNAME ": %pV", &vaf);
			break;
		case CRONO_LOG_DEBUG:
			pr_debug(KBUILD_MODNAME ": %pV", &vaf);
			break;
		}
	}
	va_end(args);
}
