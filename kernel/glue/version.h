/* SPDX-License-Identifier: GPL-2.0 */
/* The one place the driver's version is written; dkms.conf reads it. */
#define CRONO_DRIVER_VERSION "2.0.0"
