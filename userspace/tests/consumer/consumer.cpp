// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Uses the installed headers (the ABI header too) and the library. */
#include <crono/crono.hpp>
#include <crono/crono_pci_drvmod.h>

#include <cstdio>

int main()
{
	const crono::PciAddress address{ 0, 3, 0, 0 };
	std::printf(
		"crono %s: %s %s %zu\n", crono::library_version(),
		crono::model_name(CRONO_VENDOR_ID, CRONO_DEVICE_XTDC4).c_str(),
		crono::misc_node_name(CRONO_DEVICE_XTDC4, address).c_str(),
		sizeof(CRONO_SG_BUFFER_INFO));
	/* Discovery against a root that does not exist fails cleanly. */
	crono::Context context;
	context.sysfs_root = "/nonexistent";
	return crono::list_boards(context).ok() ? 1 : 0;
}
