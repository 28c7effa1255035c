#!/usr/bin/env python3
"""extra-inputs.py DIR: odd-shaped domains for bench/same-output.

The pcscale families are regular (names in order, no addresses); these
add what they do not exercise: disks in reverse and shuffled order,
user-given drive/ccw/virtio-serial/usb/ccid/PCI addresses mixed with
missing ones, duplicates (errors), multifunction slots, USB hubs left to
pciplan, smartcards. The output of pciplan on them is only compared
between two builds, never used as an expected result.
"""
import os
import random
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def name(i, prefix):
    s = ""
    i += 1
    while i > 0:
        i -= 1
        s = chr(ord("a") + i % 26) + s
        i //= 26
    return prefix + s


def dom(fn, arch, machine, body):
    with open(os.path.join(out, fn), "w") as f:
        f.write("<domain type='qemu'>\n  <name>%s</name>\n"
                "  <memory unit='GiB'>8</memory>\n  <vcpu>2</vcpu>\n"
                "  <os>\n    <type arch='%s' machine='%s'>hvm</type>\n"
                "  </os>\n  <devices>\n%s  </devices>\n</domain>\n"
                % (fn[:-4], arch, machine, body))


def disk(dev, bus, addr=""):
    return ("    <disk type='file' device='disk'>\n"
            "      <source file='/i/%s.img'/>\n"
            "      <target dev='%s' bus='%s'/>\n%s    </disk>\n"
            % (dev, dev, bus, addr))


rnd = random.Random(10)

for bus, prefix, machine in (("scsi", "sd", "pc"), ("sata", "sd", "q35"),
                             ("ide", "hd", "pc"), ("virtio", "vd", "pc")):
    for order in ("rev", "shuf"):
        for n in (3, 40, 300):
            if bus == "ide" and n > 4:
                continue
            idx = list(range(n))
            if order == "rev":
                idx.reverse()
            else:
                rnd.shuffle(idx)
            body = ""
            for k, i in enumerate(idx):
                addr = ""
                if bus in ("scsi", "sata") and k % 5 == 0:
                    per = 7 if bus == "scsi" else 6
                    addr = ("      <address type='drive' controller='%d' "
                            "bus='0' target='0' unit='%d'/>\n"
                            % (i // per, i % per))
                body += disk(name(i, prefix), bus, addr)
            dom("disk-%s-%s-%d.xml" % (bus, order, n), "x86_64", machine,
                body)

# duplicate drive addresses (error), explicit vs implied, and two explicit
for bus, prefix in (("scsi", "sd"), ("sata", "sd")):
    dom("dup-%s-implied.xml" % bus, "x86_64", "q35",
        disk(prefix + "a", bus) + disk(prefix + "c", bus) +
        disk(prefix + "x", bus,
             "      <address type='drive' controller='0' bus='0' "
             "target='0' unit='2'/>\n"))
    dom("dup-%s-explicit.xml" % bus, "x86_64", "q35",
        disk(prefix + "a", bus,
             "      <address type='drive' controller='1' unit='3'/>\n") +
        disk(prefix + "b", bus,
             "      <address type='drive' controller='1' bus='0' "
             "target='0' unit='3'/>\n"))
    dom("dup-%s-mixedbus.xml" % bus, "x86_64", "q35",
        disk("sda", "scsi") + disk("sdb", "sata",
             "      <address type='drive' controller='0' unit='0'/>\n"))

# CCW: reversed disks, some user devnos, NICs
for n in (5, 200, 2000):
    body = ""
    for k, i in enumerate(reversed(range(n))):
        addr = ""
        if k % 7 == 3:
            addr = ("      <address type='ccw' cssid='0xfe' ssid='0x0' "
                    "devno='0x%04x'/>\n" % (k * 3))
        body += disk(name(i, "vd"), "virtio", addr)
        if k % 4 == 0:
            body += ("    <interface type='user'>\n"
                     "      <mac address='52:54:00:00:%02x:%02x'/>\n"
                     "      <model type='virtio'/>\n    </interface>\n"
                     % (k // 256 % 256, k % 256))
    dom("ccw-mixed-%d.xml" % n, "s390x", "s390-ccw-virtio", body)
# CCW: runs of disks on different buses, names out of order
body = ""
for k in range(120):
    bus = ("virtio", "scsi", "virtio", "sata", "virtio")[k // 7 % 5]
    body += disk(name((k * 37) % 150, "vd" if bus == "virtio" else "sd"), bus)
dom("ccw-runs.xml", "s390x", "s390-ccw-virtio", body)
dom("ccw-dup.xml", "s390x", "s390-ccw-virtio",
    disk("vda", "virtio", "      <address type='ccw' cssid='0xfe' ssid='0x0' "
         "devno='0x0001'/>\n") +
    disk("vdb", "virtio", "      <address type='ccw' cssid='0xfe' ssid='0x0' "
         "devno='0x0001'/>\n") + disk("vdc", "virtio"))

# virtio-serial: controllers with gaps and ports=, addressed channels


def chan(i, addr=""):
    return ("    <channel type='pty'>\n"
            "      <target type='virtio' name='c%d'/>\n%s    </channel>\n"
            % (i, addr))


for n in (10, 100, 1000):
    body = ("    <controller type='virtio-serial' index='0'/>\n"
            "    <controller type='virtio-serial' index='3'/>\n"
            "    <controller type='virtio-serial' index='5' ports='2'/>\n")
    for i in range(n):
        addr = ""
        if i % 9 == 4 and i < 270:
            addr = ("      <address type='virtio-serial' controller='%d' "
                    "bus='0' port='%d'/>\n" % (3, 1 + (i // 9) % 30))
        elif i % 11 == 5 and i < 60:
            addr = ("      <address type='virtio-serial' controller='3'/>\n")
        elif i % 13 == 6 and i < 20:
            addr = "      <address type='virtio-serial'/>\n"
        body += chan(i, addr)
    body += ("    <console type='pty'>\n      <target type='virtio'/>\n"
             "    </console>\n")
    dom("vs-mixed-%d.xml" % n, "x86_64", "pc", body)

# USB: tablets with hubs left to pciplan; mixed addresses


def tablet(addr=""):
    return "    <input type='tablet' bus='usb'>\n%s    </input>\n" % addr


for n in (5, 30, 100, 200, 276, 277, 400):
    body = "".join("    <controller type='usb' index='%d' model='qemu-xhci'/>\n"
                   % c for c in range(4))
    body += "".join(tablet() for _ in range(n))
    dom("usb-nohubs-%d.xml" % n, "x86_64", "pc", body)
for n in (10, 60):
    body = ("    <controller type='usb' index='0' model='piix3-uhci'/>\n"
            "    <controller type='usb' index='1' model='ehci'/>\n"
            "    <hub type='usb'><address type='usb' bus='0' port='1'/></hub>\n"
            "    <hub type='usb'/>\n"
            "    <hub type='usb'><address type='usb' bus='1'/></hub>\n")
    for i in range(n):
        addr = ""
        if i % 7 == 2:
            addr = "      <address type='usb' bus='1'/>\n"
        elif i % 7 == 5:
            addr = "      <address type='usb' bus='0' port='1.%d'/>\n" % (
                1 + i % 8)
        body += tablet(addr)
        if i % 10 == 3:
            body += ("    <redirdev bus='usb' type='spicevmc'/>\n")
    dom("usb-mixed-%d.xml" % n, "x86_64", "pc", body)

# smartcards
for n in (1, 5, 50):
    body = ""
    for i in range(n):
        addr = ""
        if i % 4 == 1:
            addr = ("      <address type='ccid' controller='0' slot='%d'/>\n"
                    % (i * 2))
        body += ("    <smartcard mode='passthrough' type='spicevmc'>\n%s"
                 "    </smartcard>\n" % addr)
    dom("smartcard-%d.xml" % n, "x86_64", "q35", body)

# PCI: multifunction, user addresses on high buses, many bridges listed
for n in (10, 200):
    body = ""
    for i in range(n):
        s = 3 + (i // 8) % 29
        fn = i % 8
        body += ("    <interface type='user'>\n"
                 "      <mac address='52:54:00:10:%02x:%02x'/>\n"
                 "      <model type='e1000'/>\n%s    </interface>\n"
                 % (i // 256, i % 256,
                    "      <address type='pci' domain='0' bus='%d' slot='%d' "
                    "function='%d'%s/>\n" % (i // 232, s, fn,
                                             " multifunction='on'" if fn == 0
                                             and i % 3 else "")
                    if i % 2 else ""))
    for b in range(1, 1 + n // 232 + 1):
        body += ("    <controller type='pci' index='%d' model='pci-bridge'/>\n"
                 % b)
    dom("pci-mf-%d.xml" % n, "x86_64", "pc", body)
    dom("pcie-mf-%d.xml" % n, "x86_64", "q35", body.replace(
        "pci-bridge", "pcie-root-port"))
