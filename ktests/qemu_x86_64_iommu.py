# SPDX-License-Identifier: GPL-2.0
#
# kunit.py --qemu_config for the crono_pci_drvmod suites: a q35 machine with
# an Intel IOMMU in DMA (translated) mode and two edu devices (1234:11e8)
# with 64-bit DMA, so the suites map real memory for a real PCI function and
# the DMA addresses they check are IOVAs. TCG only: KVM hangs on these hosts.
from ..qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='x86_64',
			   kconfig='''
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_PCI=y
CONFIG_PCI_MSI=y
CONFIG_ACPI=y
CONFIG_IOMMU_SUPPORT=y
CONFIG_INTEL_IOMMU=y
''',
			   qemu_arch='x86_64',
			   kernel_path='arch/x86/boot/bzImage',
			   kernel_command_line='console=ttyS0 intel_iommu=on iommu.passthrough=0 kasan_multi_shot',
			   extra_qemu_params=['-accel', 'tcg',
					      '-bios', 'qboot.rom',
					      '-machine', 'q35',
					      '-device', 'intel-iommu',
					      '-device', 'edu,dma_mask=0xffffffffffffffff',
					      '-device', 'edu,dma_mask=0xffffffffffffffff'])
