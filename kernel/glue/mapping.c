// SPDX-License-Identifier: GPL-2.0
/*
 * User mappings of contiguous buffers: the vma accessors, dma_mmap_coherent,
 * and the vm_operations that tell the core when a mapping is copied or goes.
 */
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/mm.h>

#include "glue.h"

crono_u64 crono_kvma_pgoff(const struct crono_vma *handle)
{
	return ((const struct vm_area_struct *)handle)->vm_pgoff;
}

crono_u64 crono_kvma_len(const struct crono_vma *handle)
{
	const struct vm_area_struct *vma = (const void *)handle;

	return vma->vm_end - vma->vm_start;
}

int crono_kvma_is_shared(const struct crono_vma *handle)
{
	return !!(((const struct vm_area_struct *)handle)->vm_flags &
		  VM_SHARED);
}

static void crono_vma_open(struct vm_area_struct *vma)
{
	crono_contig_mapping_opened(vma->vm_private_data);
}

static void crono_vma_close(struct vm_area_struct *vma)
{
	crono_contig_mapping_closed(vma->vm_private_data);
}

const struct vm_operations_struct crono_contig_vm_ops = {
	.open = crono_vma_open,
	.close = crono_vma_close,
};

int crono_kcoherent_mmap(struct crono_pci *pci, struct crono_vma *handle,
			 void *cpu, crono_u64 dma_addr, crono_usize size,
			 void *token)
{
	struct vm_area_struct *vma = (struct vm_area_struct *)handle;
	int ret;

	/* The offset named the buffer; the mapping starts at its first byte. */
	vma->vm_pgoff = 0;
	ret = dma_mmap_coherent(crono_dev(pci), vma, cpu, dma_addr, size);
	if (ret)
		return ret;
#ifdef CRONO_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
#else
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
#endif
	vma->vm_private_data = token;
	vma->vm_ops = &crono_contig_vm_ops;
	return 0;
}

void crono_kfile_zap_mappings(struct crono_kfile *kfile)
{
	struct file *file = (struct file *)kfile;

	unmap_mapping_range(file->f_mapping, 0, 0, 1);
}
