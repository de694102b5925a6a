/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Renames the driver's core and both directions of the glue interface, so a
 * second copy of the core (release_core.cpp) links in the same kernel
 * against the recording fake of test_release.cpp instead of the glue.
 * Included first by those two files only.
 */
#pragma once

#define crono crono_rec
#define crono_board_create crono_rec_board_create
#define crono_board_put crono_rec_board_put
#define crono_board_remove crono_rec_board_remove
#define crono_board_stats crono_rec_board_stats
#define crono_contig_mapping_closed crono_rec_contig_mapping_closed
#define crono_contig_mapping_opened crono_rec_contig_mapping_opened
#define crono_core_exit crono_rec_core_exit
#define crono_core_init crono_rec_core_init
#define crono_file_ioctl crono_rec_file_ioctl
#define crono_file_mmap crono_rec_file_mmap
#define crono_file_open crono_rec_file_open
#define crono_file_release crono_rec_file_release
#define crono_kcoherent_alloc crono_rec_kcoherent_alloc
#define crono_kcoherent_free crono_rec_kcoherent_free
#define crono_kcoherent_mmap crono_rec_kcoherent_mmap
#define crono_kcopy_from_user crono_rec_kcopy_from_user
#define crono_kcopy_to_user crono_rec_kcopy_to_user
#define crono_kdma_always_bounces crono_rec_kdma_always_bounces
#define crono_kdma_map_sgt crono_rec_kdma_map_sgt
#define crono_kdma_max_segment crono_rec_kdma_max_segment
#define crono_kdma_sgt_bounced crono_rec_kdma_sgt_bounced
#define crono_kdma_unmap_sgt crono_rec_kdma_unmap_sgt
#define crono_kfile_zap_mappings crono_rec_kfile_zap_mappings
#define crono_kfree crono_rec_kfree
#define crono_klog crono_rec_klog
#define crono_kmalloc crono_rec_kmalloc
#define crono_kmm_charge crono_rec_kmm_charge
#define crono_kmm_uncharge crono_rec_kmm_uncharge
#define crono_kmutex_create crono_rec_kmutex_create
#define crono_kmutex_destroy crono_rec_kmutex_destroy
#define crono_kmutex_lock crono_rec_kmutex_lock
#define crono_kmutex_unlock crono_rec_kmutex_unlock
#define crono_kpage_size crono_rec_kpage_size
#define crono_kpci_bar0_len crono_rec_kpci_bar0_len
#define crono_kpci_bar0_write32 crono_rec_kpci_bar0_write32
#define crono_kpci_location crono_rec_kpci_location
#define crono_kpci_put crono_rec_kpci_put
#define crono_kpin_user_pages crono_rec_kpin_user_pages
#define crono_ksgt_create crono_rec_ksgt_create
#define crono_ksgt_destroy crono_rec_ksgt_destroy
#define crono_ksgt_walk_dma crono_rec_ksgt_walk_dma
#define crono_kunpin_user_pages crono_rec_kunpin_user_pages
#define crono_kvfree crono_rec_kvfree
#define crono_kvma_is_shared crono_rec_kvma_is_shared
#define crono_kvma_len crono_rec_kvma_len
#define crono_kvma_pgoff crono_rec_kvma_pgoff
#define crono_kvmalloc crono_rec_kvmalloc
