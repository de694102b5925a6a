// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The whole library. */
#ifndef CRONO_CRONO_HPP
#define CRONO_CRONO_HPP

#include "crono/bar_mapping.hpp"
#include "crono/board_stats.hpp"
#include "crono/cleanup_program.hpp"
#include "crono/context.hpp"
#include "crono/contiguous_buffer.hpp"
#include "crono/device.hpp"
#include "crono/discovery.hpp"
#include "crono/models.hpp"
#include "crono/os.hpp"
#include "crono/pci_address.hpp"
#include "crono/pci_resources.hpp"
#include "crono/result.hpp"
#include "crono/scatter_gather_buffer.hpp"
#include "crono/span.hpp"
#include "crono/units.hpp"
#include "crono/version.hpp"

#endif
