/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * QEMU's edu device (PCI 1234:11e8), the stand-in for a board in every test
 * that needs a device: its identity and its BAR0 registers. Plain #defines,
 * so that kernel C (ktests), the 32-bit C program and C++ all include it.
 *
 * The DMA engine copies between RAM (a bus address: a physical address, or an
 * IOVA behind an IOMMU) and the device's own 4096-byte buffer. QEMU aborts the
 * whole VM on a transfer outside that buffer, and QEMU 7.2 also rejects one
 * that ends exactly at EDU_DEVICE_BUFFER_END, so every user moves at most
 * EDU_DMA_HALF_PAGE bytes at a time, all at EDU_DEVICE_BUFFER.
 */
#ifndef CRONO_EDU_REGS_H
#define CRONO_EDU_REGS_H

#define EDU_VENDOR_ID 0x1234
#define EDU_DEVICE_ID 0x11e8
#define EDU_BAR0_SIZE 0x100000 /* 1 MiB */

#define EDU_REG_ID 0x00	       /* reads EDU_ID_VALUE */
#define EDU_REG_LIVENESS 0x04  /* reads back the inverse of what was written */
#define EDU_REG_FACTORIAL 0x08 /* write n, reads n! once computed */
#define EDU_REG_STATUS 0x20    /* bit 0: factorial computing */
#define EDU_REG_DMA_SRC 0x80
#define EDU_REG_DMA_DST 0x88
#define EDU_REG_DMA_COUNT 0x90
#define EDU_REG_DMA_CMD 0x98

#define EDU_ID_VALUE 0x010000ed
#define EDU_DMA_START 0x1  /* in EDU_REG_DMA_CMD; reads 1 while busy */
#define EDU_DMA_TO_RAM 0x2 /* in EDU_REG_DMA_CMD: device to RAM */

#define EDU_DEVICE_BUFFER 0x40000
#define EDU_DEVICE_BUFFER_END 0x41000 /* a transfer ends strictly below */
#define EDU_DMA_HALF_PAGE 2048

#endif /* CRONO_EDU_REGS_H */
