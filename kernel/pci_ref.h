/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PciRef: a counted reference to the glue's crono_pci, so a board can still
 * log and fail requests after the device was removed. The glue frees the
 * crono_pci with its last reference; the core never does.
 */
#pragma once

#include "cxxrt/unique_resource.h"

namespace crono {

struct PciRefState {
	struct crono_pci *pci = nullptr;

	bool held() const noexcept { return pci != nullptr; }
	void release() noexcept { crono_kpci_put(pci); }
};

class PciRef : public UniqueResource<PciRefState> {
public:
	CRONO_RESOURCE_OWNER(PciRef);
	explicit PciRef(struct crono_pci *pci) noexcept
	    : UniqueResource(PciRefState{ pci })
	{
		crono_kpci_get(pci);
	}

	struct crono_pci *get() const noexcept { return state_.pci; }
};

} // namespace crono
