/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A freestanding guest that answers native PCIe hotplug on QEMU's
 * pcie-root-ports the way Linux pciehp does, without its 5 s wait: the
 * attention button toggles slot power (a device plugged into a powered-off
 * slot is powered on, a powered slot's button press powers it off, which
 * QEMU takes as the guest's consent to remove the device). It polls slot
 * status through legacy config space and reports on the serial port.
 * Built like tests/vm's guest (its start.S and guest.ld).
 */
#include <stdint.h>

#define COM1 0x3f8
#define PCI_VENDOR_REDHAT 0x1b36
#define PCI_DEVICE_ROOT_PORT 0x000c
#define PCI_CAP_EXP 0x10
#define EXP_SLTCTL 0x18
#define EXP_SLTSTA 0x1a
#define SLTCTL_PIC_MASK 0x0300
#define SLTCTL_PIC_ON 0x0100
#define SLTCTL_PIC_OFF 0x0300
#define SLTCTL_PCC 0x0400		/* 1: power off */
#define SLTSTA_ABP 0x0001
#define SLTSTA_PDC 0x0008
#define SLTSTA_PDS 0x0040
#define MAX_PORTS 8

struct port {
	uint32_t bdf;
	uint32_t cap;
};

static struct port ports[MAX_PORTS];
static unsigned int n_ports;

static inline void
outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t
inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void
outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint16_t
inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void
outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t
inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void
putc_serial(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, (uint8_t)c);
}

static void
puts_serial(const char *s)
{
	for (; *s != '\0'; s++)
		putc_serial(*s);
}

static void
put_hex(uint32_t v, int digits)
{
	for (int i = digits - 1; i >= 0; i--)
		putc_serial("0123456789abcdef"[(v >> (4 * i)) & 0xf]);
}

static void
cfg_addr(uint32_t bdf, uint32_t off)
{
	outl(0xcf8, 0x80000000u | bdf << 8 | (off & 0xfc));
}

static uint32_t
cfg_rd32(uint32_t bdf, uint32_t off)
{
	cfg_addr(bdf, off);
	return inl(0xcfc);
}

static uint16_t
cfg_rd16(uint32_t bdf, uint32_t off)
{
	cfg_addr(bdf, off);
	return inw((uint16_t)(0xcfc + (off & 2)));
}

static void
cfg_wr16(uint32_t bdf, uint32_t off, uint16_t v)
{
	cfg_addr(bdf, off);
	outw((uint16_t)(0xcfc + (off & 2)), v);
}

static uint32_t
exp_cap(uint32_t bdf)
{
	uint32_t off = cfg_rd32(bdf, 0x34) & 0xfc;

	for (int i = 0; off != 0 && i < 48; i++) {
		uint32_t hdr = cfg_rd32(bdf, off);

		if ((hdr & 0xff) == PCI_CAP_EXP)
			return off;
		off = (hdr >> 8) & 0xfc;
	}
	return 0;
}

/* Bus 0's pcie-root-ports (the test machine puts them there). */
static void
find_ports(void)
{
	for (uint32_t dev = 0; dev < 32 && n_ports < MAX_PORTS; dev++) {
		uint32_t bdf = dev << 3;
		uint32_t id = cfg_rd32(bdf, 0);
		uint32_t cap;

		if ((id & 0xffff) != PCI_VENDOR_REDHAT ||
		    id >> 16 != PCI_DEVICE_ROOT_PORT)
			continue;
		cap = exp_cap(bdf);
		if (cap == 0)
			continue;
		ports[n_ports++] = (struct port){ .bdf = bdf, .cap = cap };
	}
}

static void
report(const struct port *p, const char *what)
{
	puts_serial("slot ");
	put_hex(p->bdf >> 3, 2);
	puts_serial(": ");
	puts_serial(what);
	puts_serial("\n");
}

/* One look at a slot: clear its events, then act like pciehp. */
static void
slot_poll(const struct port *p)
{
	uint16_t sta = cfg_rd16(p->bdf, p->cap + EXP_SLTSTA);
	uint16_t ctl;
	int powered;

	if (!(sta & (SLTSTA_ABP | SLTSTA_PDC)))
		return;
	cfg_wr16(p->bdf, p->cap + EXP_SLTSTA, sta & (SLTSTA_ABP | SLTSTA_PDC));
	ctl = cfg_rd16(p->bdf, p->cap + EXP_SLTCTL);
	powered = !(ctl & SLTCTL_PCC);
	if (!(sta & SLTSTA_PDS))
		return;
	if (!powered) {
		ctl = (uint16_t)((ctl & ~(SLTCTL_PCC | SLTCTL_PIC_MASK)) |
				 SLTCTL_PIC_ON);
		cfg_wr16(p->bdf, p->cap + EXP_SLTCTL, ctl);
		report(p, "power on");
	} else if (sta & SLTSTA_ABP) {
		ctl = (uint16_t)((ctl & ~SLTCTL_PIC_MASK) | SLTCTL_PCC |
				 SLTCTL_PIC_OFF);
		cfg_wr16(p->bdf, p->cap + EXP_SLTCTL, ctl);
		report(p, "attention button: power off");
	}
}

static inline uint64_t
rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static void
tsc_wait(uint64_t cycles)
{
	uint64_t t0 = rdtsc();

	while (rdtsc() - t0 < cycles)
		;
}

void guest_main(uint32_t magic, uint32_t info);

void
guest_main(uint32_t magic, uint32_t info)
{
	(void)magic;
	(void)info;
	find_ports();
	puts_serial("pciehp guest: ");
	put_hex(n_ports, 1);
	puts_serial(" root ports, ready\n");
	for (;;) {
		for (unsigned int i = 0; i < n_ports; i++)
			slot_poll(&ports[i]);
		/* ~10 ms between looks, by the TSC (instruction counts last
		 * very different times under TCG and this machine's nested
		 * KVM), then one pause. Without it, under TCG, the unplug
		 * never completed (no DEVICE_DELETED): as we read QEMU, a
		 * pause leaves the vCPU's execution loop, a quiescent state
		 * for the RCU callbacks that finish an unplug. */
		tsc_wait(30000000);
		__asm__ volatile("pause");
	}
}
