# SPDX-License-Identifier: GPL-2.0
#
# Feature probes for the C glue: each looks for an API in the headers of the
# kernel being built against and defines CRONO_HAVE_<feature> when it is
# there. Kernel versions are never compared; backports and distribution
# kernels then get whatever they really have.

crono_header = $(srctree)/include/$(1)
# $(call crono_probe,header,extended regex,MACRO); make counts parentheses
# inside the arguments, so the patterns have none.
crono_probe = $(if $(shell grep -qsE '$(2)' $(call crono_header,$(1)) && echo y),-D$(3))

crono_probes := \
	$(call crono_probe,linux/mm.h,void vm_flags_set,CRONO_HAVE_VM_FLAGS_SET) \
	$(call crono_probe,linux/scatterlist.h,int sg_alloc_append_table_from_pages,CRONO_HAVE_SG_ALLOC_APPEND_TABLE_FROM_PAGES) \
	$(call crono_probe,linux/swiotlb.h,is_swiotlb_force_bounce,CRONO_HAVE_IS_SWIOTLB_FORCE_BOUNCE)
