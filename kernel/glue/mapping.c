// SPDX-License-Identifier: GPL-2.0
/*
 * User mappings of contiguous buffers. mmap only validates (in the core) and
 * sets the vma up; pages are inserted by the fault handler, which the core
 * runs under its mappings lock after checking that the memory is still
 * there. So no page table entry can exist that a teardown's zap did not see:
 * the kernel calls ->mmap before it links the vma where unmap_mapping_range()
 * looks, but no fault can come before that link.
 */
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>

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

int crono_kvma_may_share(const struct crono_vma *handle)
{
	return !!(((const struct vm_area_struct *)handle)->vm_flags &
		  VM_MAYSHARE);
}

static void crono_vma_open(struct vm_area_struct *vma)
{
	crono_contig_mapping_opened(vma->vm_private_data,
				    (struct crono_vma *)vma);
}

static void crono_vma_close(struct vm_area_struct *vma)
{
	crono_contig_mapping_closed(vma->vm_private_data);
}

static vm_fault_t crono_vma_fault(struct vm_fault *vmf)
{
	int ret = crono_contig_fault(vmf->vma->vm_private_data,
				     (struct crono_fault *)vmf);

	if (ret == -ENOMEM)
		return VM_FAULT_OOM;
	/* A page is in place (or was, from a racing fault). */
	return ret ? VM_FAULT_SIGBUS : VM_FAULT_NOPAGE;
}

static const struct vm_operations_struct crono_contig_vm_ops = {
	.open = crono_vma_open,
	.close = crono_vma_close,
	.fault = crono_vma_fault,
};

void crono_kvma_setup_contig(struct crono_pci *pci, struct crono_vma *handle,
			     void *token)
{
	struct vm_area_struct *vma = (struct vm_area_struct *)handle;
	const vm_flags_t flags =
		VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;

	/* The offset named the buffer; page offsets count from its start. */
	vma->vm_pgoff = 0;
#ifdef CRONO_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
	/* What dma_mmap_coherent() would give a device that does not snoop
	 * the CPU caches (never the case on x86). */
	if (!dev_is_dma_coherent(crono_dev(pci)))
		vma->vm_page_prot = pgprot_dmacoherent(vma->vm_page_prot);
	vma->vm_private_data = token;
	vma->vm_ops = &crono_contig_vm_ops;
}

/* The page frame of byte `offset` of a coherent buffer: directly mapped
 * memory, or (behind an IOMMU) pages remapped into vmalloc space. */
static unsigned long crono_coherent_pfn(void *cpu, unsigned long offset)
{
	void *addr = cpu + offset;

	if (is_vmalloc_addr(addr))
		return vmalloc_to_pfn(addr);
	return page_to_pfn(virt_to_page(addr));
}

int crono_kcoherent_insert(struct crono_pci *pci, struct crono_fault *handle,
			   void *cpu, crono_usize size)
{
	struct vm_fault *vmf = (struct vm_fault *)handle;
	struct vm_area_struct *vma = vmf->vma;
	const unsigned long pages = size >> PAGE_SHIFT;
	unsigned long index = vmf->pgoff;
	unsigned long addr = vmf->address & PAGE_MASK;
	unsigned long end;
	vm_fault_t ret;

	if (index >= pages)
		return -EFAULT;
	/* The faulting page, then the rest of its 2 MiB, so that touching a
	 * large buffer takes few faults. An entry already there is kept. */
	end = min3(ALIGN(addr + 1, SZ_2M), vma->vm_end,
		   addr + ((pages - index) << PAGE_SHIFT));
	ret = vmf_insert_pfn(vma, addr,
			     crono_coherent_pfn(cpu, index << PAGE_SHIFT));
	if (ret & VM_FAULT_ERROR)
		return ret & VM_FAULT_OOM ? -ENOMEM : -EFAULT;
	for (addr += PAGE_SIZE, index++; addr < end; addr += PAGE_SIZE, index++)
		if (vmf_insert_pfn(
			    vma, addr,
			    crono_coherent_pfn(cpu, index << PAGE_SHIFT)) &
		    VM_FAULT_ERROR)
			break;
	return 0;
}

void crono_kvma_zap(struct crono_vma *handle)
{
	struct vm_area_struct *vma = (struct vm_area_struct *)handle;

	zap_vma_ptes(vma, vma->vm_start, vma->vm_end - vma->vm_start);
}

void crono_kfile_zap_mappings(struct crono_kfile *kfile)
{
	struct file *file = (struct file *)kfile;

	unmap_mapping_range(file->f_mapping, 0, 0, 1);
}
