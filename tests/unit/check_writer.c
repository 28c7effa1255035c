/*
 * Unit tests for writer.c. Each test builds its struct domain by hand,
 * so the writer is tested independently of domain_load() and the
 * planner.
 */
#include <stdlib.h>
#include <string.h>

#include "check_suites.h"
#include "model/domain.h"
#include "render/writer.h"
#include "xml/load.h"
#include "xml/xmldoc.h"

static struct xmldoc xd;
static struct domain dom;
static struct diag d;

/* Index of the n-th (from 0) element called 'name', or -1. */
static long find_elem(const char *name, int n)
{
    size_t i;

    for (i = 0; i < xd.nelems; i++) {
        if (xmldoc_name_is(&xd, (long)i, name) && n-- == 0)
            return (long)i;
    }
    return -1;
}

static void load(const char *doc)
{
    size_t len = strlen(doc);
    char *copy = malloc(len + 1);
    long type;

    memcpy(copy, doc, len + 1);
    memset(&d, 0, sizeof(d));
    ck_assert_int_eq(xmldoc_parse(&xd, copy, len, &d), 0);
    memset(&dom, 0, sizeof(dom));
    dom.devices_elem = find_elem("devices", 0);
    type = find_elem("type", 0);
    dom.os_type_elem = type >= 0 && xd.elems[type].parent != XMLDOC_NONE &&
                               xmldoc_name_is(&xd, xd.elems[type].parent, "os")
                           ? type
                           : -1;
}

/* A device as domain_load() would leave it, for element 'elem'. */
static struct device *add_dev(enum dev_kind kind, long elem)
{
    struct device *dev = calloc(1, sizeof(*dev));

    dev->kind = kind;
    dev->elem = elem;
    dev->addr_elem = dev->model_name_elem = dev->target_elem = -1;
    dev->index = -1;
    dev->addr_controller = -1;
    dev->target = (struct ctrl_target){-1, -1, -1, -1, -1, TRI_ABSENT, -1};
    dev->addr.multifunction = TRI_ABSENT;
    for (long i = xmldoc_child(&xd, elem, NULL); i >= 0;
         i = xmldoc_next(&xd, i, NULL)) {
        if (xmldoc_name_is(&xd, i, "address"))
            dev->addr_elem = i;
        else if (xmldoc_name_is(&xd, i, "target"))
            dev->target_elem = i;
        else if (xmldoc_name_is(&xd, i, "model"))
            dev->model_name_elem = i;
    }
    if (dom.ndevs == dom.cap) {
        dom.cap = dom.cap ? dom.cap * 2 : 8;
        dom.devs = realloc(dom.devs, dom.cap * sizeof(*dom.devs));
    }
    dom.devs[dom.ndevs++] = dev;
    return dev;
}

static struct device *add_existing(enum dev_kind kind, const char *name, int n)
{
    long e = find_elem(name, n);

    ck_assert_int_ge(e, 0);
    return add_dev(kind, e);
}

static void set_pci(struct device *dev, unsigned bus, unsigned slot,
                    unsigned function)
{
    dev->addr_type = ADDR_PCI;
    dev->addr.domain = 0;
    dev->addr.bus = bus;
    dev->addr.slot = slot;
    dev->addr.function = function;
    dev->addr_changed = true;
}

/* A planner-added pcie-root-port. */
static struct device *add_root_port(long index, long chassis, long port,
                                    unsigned slot, unsigned function)
{
    struct device *dev = add_dev(DEV_CONTROLLER, -1);

    dev->type = "pci";
    dev->index = index;
    dev->model = "pcie-root-port";
    dev->model_name = "pcie-root-port";
    dev->target.chassis = chassis;
    dev->target.port = port;
    set_pci(dev, 0, slot, function);
    return dev;
}

static void teardown(void)
{
    size_t i;

    for (i = 0; i < dom.ndevs; i++)
        free(dom.devs[i]);
    free(dom.devs);
    memset(&dom, 0, sizeof(dom));
    xmldoc_free(&xd);
}

static void assert_render(const char *expected)
{
    char *out = NULL;
    size_t len = 0;

    /* the writer reads the text and the element table, never the values */
    xmldoc_drop_values(&xd);
    ck_assert_int_eq(writer_render(&xd, &dom, &out, &len, &d), 0);
    ck_assert_uint_eq(len, strlen(out));
    ck_assert_str_eq(out, expected);
    free(out);
}

#define ADDR(bus, slot, fn)                                                    \
    "<address type='pci' domain='0x0000' bus='" bus "' slot='" slot            \
    "' function='" fn "'/>"

#define ADDR_00_01_0 ADDR("0x00", "0x01", "0x0")
#define ADDR_00_02_0 ADDR("0x00", "0x02", "0x0")
#define ADDR_00_02_1 ADDR("0x00", "0x02", "0x1")
#define ADDR_00_03_0 ADDR("0x00", "0x03", "0x0")
#define ADDR_00_04_0 ADDR("0x00", "0x04", "0x0")
#define ADDR_00_05_0 ADDR("0x00", "0x05", "0x0")
#define ADDR_00_06_0 ADDR("0x00", "0x06", "0x0")
#define ADDR_00_07_0 ADDR("0x00", "0x07", "0x0")
#define ADDR_00_09_0 ADDR("0x00", "0x09", "0x0")
#define ADDR_01_00_0 ADDR("0x01", "0x00", "0x0")

/* ---- nothing to do ---- */

START_TEST(test_identity)
{
    static const char doc[] =
        "<?xml version=\"1.0\"?>\r\n"
        "<!-- leading comment -->\r\n"
        "<domain type=\"kvm\"   id='1'>\r\n"
        "\t<name>x &amp; y</name>\r\n"
        "  <?pi stays?>\r\n"
        "  <devices>\r\n"
        "    <disk type=\"file\"><target dev='vda'/></disk>\r\n"
        "    <memballoon model='virtio'/>   \r\n"
        "  </devices>\r\n"
        "</domain>\r\n"
        "<!-- trailing -->";

    load(doc);
    add_existing(DEV_DISK, "disk", 0);
    add_existing(DEV_MEMBALLOON, "memballoon", 0);
    assert_render(doc);
}
END_TEST

/* ---- addresses on existing devices ---- */

START_TEST(test_address_last_child)
{
    load("<domain>\n"
         "  <devices>\n"
         "    <!-- main disk -->\n"
         "    <disk type=\"file\" device='disk'>\n"
         "      <source file=\"/a.img\"/>\n"
         "      <target dev='vda' bus='virtio'/>\n"
         "    </disk>\n"
         "  </devices>\n"
         "</domain>\n");
    set_pci(add_existing(DEV_DISK, "disk", 0), 0, 4, 0);
    assert_render("<domain>\n"
                  "  <devices>\n"
                  "    <!-- main disk -->\n"
                  "    <disk type=\"file\" device='disk'>\n"
                  "      <source file=\"/a.img\"/>\n"
                  "      <target dev='vda' bus='virtio'/>\n"
                  "      " ADDR_00_04_0 "\n"
                  "    </disk>\n"
                  "  </devices>\n"
                  "</domain>\n");
}
END_TEST

START_TEST(test_address_replaced)
{
    load("<domain>\n"
         "  <devices>\n"
         "    <interface type='network'>\n"
         "      <address type=\"pci\"/>  <!-- any -->\n"
         "      <model type='virtio'/>\n"
         "    </interface>\n"
         "  </devices>\n"
         "</domain>\n");
    set_pci(add_existing(DEV_INTERFACE, "interface", 0), 1, 0x1f, 7);
    dom.devs[0]->addr.multifunction = TRI_OFF;
    assert_render("<domain>\n"
                  "  <devices>\n"
                  "    <interface type='network'>\n"
                  "      <address type=\"pci\" domain=\"0x0000\" "
                  "bus=\"0x01\" slot=\"0x1f\" function=\"0x7\" "
                  "multifunction=\"off\"/>"
                  "  <!-- any -->\n"
                  "      <model type='virtio'/>\n"
                  "    </interface>\n"
                  "  </devices>\n"
                  "</domain>\n");
}
END_TEST

START_TEST(test_self_closing_device)
{
    load("<domain>\n"
         "  <devices>\n"
         "    <memballoon model='virtio'/>\n"
         "  </devices>\n"
         "</domain>\n");
    set_pci(add_existing(DEV_MEMBALLOON, "memballoon", 0), 0, 5, 0);
    assert_render("<domain>\n"
                  "  <devices>\n"
                  "    <memballoon model='virtio'>\n"
                  "      " ADDR_00_05_0 "\n"
                  "    </memballoon>\n"
                  "  </devices>\n"
                  "</domain>\n");
}
END_TEST

START_TEST(test_one_line_device)
{
    load("<domain>\n"
         "  <devices>\n"
         "    <disk type='file'><source file='/x'/><target dev='vda'/></disk>\n"
         "    <memballoon model='virtio'/><rng model='virtio'/>\n"
         "  </devices>\n"
         "</domain>\n");
    set_pci(add_existing(DEV_DISK, "disk", 0), 0, 3, 0);
    set_pci(add_existing(DEV_RNG, "rng", 0), 0, 6, 0);
    assert_render("<domain>\n"
                  "  <devices>\n"
                  "    <disk type='file'><source file='/x'/><target "
                  "dev='vda'/>\n"
                  "      " ADDR_00_03_0 "\n"
                  "    </disk>\n"
                  "    <memballoon model='virtio'/><rng "
                  "model='virtio'>" ADDR_00_06_0 "</rng>\n"
                  "  </devices>\n"
                  "</domain>\n");
}
END_TEST

START_TEST(test_crlf_and_tabs)
{
    load("<domain>\r\n"
         "\t<devices>\r\n"
         "\t\t<memballoon model='virtio'/>\r\n"
         "\t\t<disk type='file'>\r\n"
         "\t\t\t<target dev='vda'/>\r\n"
         "\t\t</disk>\r\n"
         "\t</devices>\r\n"
         "</domain>\r\n");
    set_pci(add_existing(DEV_MEMBALLOON, "memballoon", 0), 0, 5, 0);
    set_pci(add_existing(DEV_DISK, "disk", 0), 0, 4, 0);
    assert_render("<domain>\r\n"
                  "\t<devices>\r\n"
                  "\t\t<memballoon model='virtio'>\r\n"
                  "\t\t\t" ADDR_00_05_0 "\r\n"
                  "\t\t</memballoon>\r\n"
                  "\t\t<disk type='file'>\r\n"
                  "\t\t\t<target dev='vda'/>\r\n"
                  "\t\t\t" ADDR_00_04_0 "\r\n"
                  "\t\t</disk>\r\n"
                  "\t</devices>\r\n"
                  "</domain>\r\n");
}
END_TEST

/* A tab-indented document gets tabs for new nesting levels too. */
START_TEST(test_tab_indent_step)
{
    struct device *dev;

    load("<domain>\n"
         "\t<devices>\n"
         "\t\t<memballoon model='virtio'/>\n"
         "\t</devices>\n"
         "</domain>\n");
    set_pci(add_existing(DEV_MEMBALLOON, "memballoon", 0), 0, 5, 0);
    add_root_port(1, 1, 0x10, 2, 0);
    dev = add_dev(DEV_CONTROLLER, -1);
    dev->type = "pci";
    dev->index = 2;
    dev->model = "pcie-expander-bus";
    dev->target.node = 1;
    assert_render("<domain>\n"
                  "\t<devices>\n"
                  "\t\t<controller type='pci' index='1' "
                  "model='pcie-root-port'>\n"
                  "\t\t\t<model name='pcie-root-port'/>\n"
                  "\t\t\t<target chassis='1' port='0x10'/>\n"
                  "\t\t\t" ADDR_00_02_0 "\n"
                  "\t\t</controller>\n"
                  "\t\t<controller type='pci' index='2' "
                  "model='pcie-expander-bus'>\n"
                  "\t\t\t<target>\n"
                  "\t\t\t\t<node>1</node>\n"
                  "\t\t\t</target>\n"
                  "\t\t</controller>\n"
                  "\t\t<memballoon model='virtio'>\n"
                  "\t\t\t" ADDR_00_05_0 "\n"
                  "\t\t</memballoon>\n"
                  "\t</devices>\n"
                  "</domain>\n");
}
END_TEST

START_TEST(test_end_tag_not_on_own_line)
{
    load("<domain>\n"
         "  <devices>\n"
         "    <disk type='file'>\n"
         "      <target dev='vda'/></disk>\n"
         "  </devices>\n"
         "</domain>\n");
    set_pci(add_existing(DEV_DISK, "disk", 0), 0, 4, 0);
    assert_render("<domain>\n"
                  "  <devices>\n"
                  "    <disk type='file'>\n"
                  "      <target dev='vda'/>\n"
                  "      " ADDR_00_04_0 "</disk>\n"
                  "  </devices>\n"
                  "</domain>\n");
}
END_TEST

START_TEST(test_address_before_driver)
{
    load("<domain>\n"
         "  <devices>\n"
         "    <memballoon model='virtio'>\n"
         "      <stats period='10'/>\n"
         "      <driver iommu='on'/>\n"
         "    </memballoon>\n"
         "    <vsock model='virtio'>\n"
         "      <cid auto='yes'/>\n"
         "      <driver iommu='on'/>\n"
         "    </vsock>\n"
         "  </devices>\n"
         "</domain>\n");
    set_pci(add_existing(DEV_MEMBALLOON, "memballoon", 0), 0, 5, 0);
    set_pci(add_existing(DEV_VSOCK, "vsock", 0), 0, 6, 0);
    assert_render("<domain>\n"
                  "  <devices>\n"
                  "    <memballoon model='virtio'>\n"
                  "      <stats period='10'/>\n"
                  "      " ADDR_00_05_0 "\n"
                  "      <driver iommu='on'/>\n"
                  "    </memballoon>\n"
                  "    <vsock model='virtio'>\n"
                  "      <cid auto='yes'/>\n"
                  "      " ADDR_00_06_0 "\n"
                  "      <driver iommu='on'/>\n"
                  "    </vsock>\n"
                  "  </devices>\n"
                  "</domain>\n");
}
END_TEST

START_TEST(test_address_before_limits_and_pcihole)
{
    load("<domain>\n"
         "  <devices>\n"
         "    <controller type='pci' index='0' model='pci-root'>\n"
         "      <pcihole64 unit='KiB'>1048576</pcihole64>\n"
         "    </controller>\n"
         "    <filesystem type='mount'>\n"
         "      <source dir='/s'/>\n"
         "      <target dir='t'/>\n"
         "      <space_soft_limit unit='bytes'>1</space_soft_limit>\n"
         "    </filesystem>\n"
         "  </devices>\n"
         "</domain>\n");
    set_pci(add_existing(DEV_CONTROLLER, "controller", 0), 0, 1, 0);
    set_pci(add_existing(DEV_FILESYSTEM, "filesystem", 0), 0, 7, 0);
    assert_render("<domain>\n"
                  "  <devices>\n"
                  "    <controller type='pci' index='0' model='pci-root'>\n"
                  "      " ADDR_00_01_0 "\n"
                  "      <pcihole64 unit='KiB'>1048576</pcihole64>\n"
                  "    </controller>\n"
                  "    <filesystem type='mount'>\n"
                  "      <source dir='/s'/>\n"
                  "      <target dir='t'/>\n"
                  "      " ADDR_00_07_0 "\n"
                  "      <space_soft_limit "
                  "unit='bytes'>1</space_soft_limit>\n"
                  "    </filesystem>\n"
                  "  </devices>\n"
                  "</domain>\n");
}
END_TEST

START_TEST(test_adds_multifunction)
{
    load("<domain>\n"
         "  <devices>\n"
         "    <interface type='network'>\n"
         "      <address type=\"pci\" domain=\"0x0000\" bus=\"0x00\" "
         "slot=\"0x03\" function=\"0x0\" />\n"
         "    </interface>\n"
         "  </devices>\n"
         "</domain>\n");
    add_existing(DEV_INTERFACE, "interface", 0)->adds_multifunction = true;
    assert_render("<domain>\n"
                  "  <devices>\n"
                  "    <interface type='network'>\n"
                  "      <address type=\"pci\" domain=\"0x0000\" "
                  "bus=\"0x00\" slot=\"0x03\" function=\"0x0\" "
                  "multifunction=\"on\" />\n"
                  "    </interface>\n"
                  "  </devices>\n"
                  "</domain>\n");
}
END_TEST

/* A flag for an attribute that is already there rewrites its value
 * rather than writing a duplicate attribute. */
START_TEST(test_existing_attribute_rewritten)
{
    struct device *dev;

    load("<domain>\n"
         "  <devices>\n"
         "    <interface type='network'>\n"
         "      <address type='pci' slot='0x03' multifunction=\"off\"/>\n"
         "    </interface>\n"
         "    <controller type='pci' index='1' model='pcie-root-port'>\n"
         "      <target chassis='9' port=''/>\n"
         "    </controller>\n"
         "  </devices>\n"
         "</domain>\n");
    add_existing(DEV_INTERFACE, "interface", 0)->adds_multifunction = true;
    dev = add_existing(DEV_CONTROLLER, "controller", 0);
    dev->target.chassis = 1;
    dev->target.port = 0x10;
    dev->target_added = TARGET_CHASSIS | TARGET_PORT;
    assert_render(
        "<domain>\n"
        "  <devices>\n"
        "    <interface type='network'>\n"
        "      <address type='pci' slot='0x03' multifunction=\"on\"/>\n"
        "    </interface>\n"
        "    <controller type='pci' index='1' model='pcie-root-port'>\n"
        "      <target chassis='1' port='0x10'/>\n"
        "    </controller>\n"
        "  </devices>\n"
        "</domain>\n");
}
END_TEST

/* ---- controller <model> and <target> ---- */

START_TEST(test_target_attrs_inserted)
{
    struct device *dev;

    load("<domain>\n"
         "  <devices>\n"
         "    <controller type=\"pci\" index=\"1\" model=\"pcie-root-port\">\n"
         "      <model name=\"pcie-root-port\"/>\n"
         "      <target chassis=\"1\"/>\n"
         "    </controller>\n"
         "    <controller type='pci' index='2' model='pcie-expander-bus'>\n"
         "      <target>\n"
         "        <node>1</node>\n"
         "      </target>\n"
         "    </controller>\n"
         "  </devices>\n"
         "</domain>\n");
    dev = add_existing(DEV_CONTROLLER, "controller", 0);
    dev->target.chassis = 1;
    dev->target.port = 0x10;
    dev->target_added = TARGET_PORT;
    dev = add_existing(DEV_CONTROLLER, "controller", 1);
    dev->target.bus_nr = 254;
    dev->target.node = 1;
    dev->target_added = TARGET_BUS_NR;
    assert_render(
        "<domain>\n"
        "  <devices>\n"
        "    <controller type=\"pci\" index=\"1\" model=\"pcie-root-port\">\n"
        "      <model name=\"pcie-root-port\"/>\n"
        "      <target chassis=\"1\" port=\"0x10\"/>\n"
        "    </controller>\n"
        "    <controller type='pci' index='2' model='pcie-expander-bus'>\n"
        "      <target busNr='254'>\n"
        "        <node>1</node>\n"
        "      </target>\n"
        "    </controller>\n"
        "  </devices>\n"
        "</domain>\n");
}
END_TEST

START_TEST(test_controller_children_added)
{
    struct device *dev;

    load("<domain>\n"
         "  <devices>\n"
         "    <controller type='pci' index='1' model='pcie-root-port'/>\n"
         "  </devices>\n"
         "</domain>\n");
    dev = add_existing(DEV_CONTROLLER, "controller", 0);
    dev->model_name = "pcie-root-port";
    dev->model_name_added = true;
    dev->target.chassis_nr = 3;
    dev->target.chassis = 1;
    dev->target.port = 0x1a;
    dev->target.bus_nr = 7;
    dev->target.index = 4;
    dev->target_added = TARGET_CHASSIS_NR | TARGET_CHASSIS | TARGET_PORT |
                        TARGET_BUS_NR | TARGET_INDEX;
    set_pci(dev, 0, 2, 0);
    dev->addr.multifunction = TRI_ON;
    assert_render("<domain>\n"
                  "  <devices>\n"
                  "    <controller type='pci' index='1' "
                  "model='pcie-root-port'>\n"
                  "      <model name='pcie-root-port'/>\n"
                  "      <target chassisNr='3' chassis='1' port='0x1a' "
                  "busNr='7' index='4'/>\n"
                  "      <address type='pci' domain='0x0000' bus='0x00' "
                  "slot='0x02' function='0x0' multifunction='on'/>\n"
                  "    </controller>\n"
                  "  </devices>\n"
                  "</domain>\n");
}
END_TEST

START_TEST(test_model_before_target)
{
    struct device *dev;

    load("<domain>\n"
         "  <devices>\n"
         "    <controller type='pci' index='1' model='pcie-root-port'>\n"
         "      <target chassis='1' port='0x10'/>\n"
         "      <address type='pci' bus='0x00' slot='0x02'/>\n"
         "    </controller>\n"
         "    <controller type='pci' index='2' model='pcie-root-port'>\n"
         "      <address type='pci' bus='0x00' slot='0x03'/>\n"
         "    </controller>\n"
         "  </devices>\n"
         "</domain>\n");
    dev = add_existing(DEV_CONTROLLER, "controller", 0);
    dev->model_name = "pcie-root-port";
    dev->model_name_added = true;
    dev = add_existing(DEV_CONTROLLER, "controller", 1);
    dev->model_name = "pcie-root-port";
    dev->model_name_added = true;
    dev->target.chassis = 2;
    dev->target.port = 0x11;
    dev->target_added = TARGET_CHASSIS | TARGET_PORT;
    assert_render("<domain>\n"
                  "  <devices>\n"
                  "    <controller type='pci' index='1' "
                  "model='pcie-root-port'>\n"
                  "      <model name='pcie-root-port'/>\n"
                  "      <target chassis='1' port='0x10'/>\n"
                  "      <address type='pci' bus='0x00' slot='0x02'/>\n"
                  "    </controller>\n"
                  "    <controller type='pci' index='2' "
                  "model='pcie-root-port'>\n"
                  "      <model name='pcie-root-port'/>\n"
                  "      <target chassis='2' port='0x11'/>\n"
                  "      <address type='pci' bus='0x00' slot='0x03'/>\n"
                  "    </controller>\n"
                  "  </devices>\n"
                  "</domain>\n");
}
END_TEST

START_TEST(test_target_after_existing_model)
{
    struct device *dev;

    load("<domain>\n"
         "  <devices>\n"
         "    <controller type='pci' index='1' model='pcie-root-port'>\n"
         "      <model name='pcie-root-port'/>\n"
         "    </controller>\n"
         "  </devices>\n"
         "</domain>\n");
    dev = add_existing(DEV_CONTROLLER, "controller", 0);
    dev->target.chassis = 1;
    dev->target.port = 0x8;
    dev->target_added = TARGET_CHASSIS | TARGET_PORT;
    set_pci(dev, 0, 1, 0);
    assert_render("<domain>\n"
                  "  <devices>\n"
                  "    <controller type='pci' index='1' "
                  "model='pcie-root-port'>\n"
                  "      <model name='pcie-root-port'/>\n"
                  "      <target chassis='1' port='0x8'/>\n"
                  "      " ADDR_00_01_0 "\n"
                  "    </controller>\n"
                  "  </devices>\n"
                  "</domain>\n");
}
END_TEST

START_TEST(test_controller_index_and_model_added)
{
    struct device *dev;

    load("<domain>\n"
         "  <devices>\n"
         "    <controller type='usb' index='0'/>\n"
         "    <controller type=\"scsi\"/>\n"
         "    <controller index='1' type='usb'>\n"
         "    </controller>\n"
         "  </devices>\n"
         "</domain>\n");
    dev = add_existing(DEV_CONTROLLER, "controller", 0);
    dev->model = "piix3-uhci";
    dev->model_added = true;
    dev = add_existing(DEV_CONTROLLER, "controller", 1);
    dev->index = 0;
    dev->index_added = true;
    dev->model = "lsilogic";
    dev->model_added = true;
    dev = add_existing(DEV_CONTROLLER, "controller", 2);
    dev->model = "piix3-uhci";
    dev->model_added = true;
    assert_render("<domain>\n"
                  "  <devices>\n"
                  "    <controller type='usb' index='0' model='piix3-uhci'/>\n"
                  "    <controller type=\"scsi\" index=\"0\" "
                  "model=\"lsilogic\"/>\n"
                  "    <controller index='1' type='usb' model='piix3-uhci'>\n"
                  "    </controller>\n"
                  "  </devices>\n"
                  "</domain>\n");
}
END_TEST

/* ---- devices added by the planner ---- */

START_TEST(test_added_after_same_kind)
{
    struct device *root;

    load("<domain>\n"
         "  <devices>\n"
         "    <disk type='file'/>\n"
         "    <controller type='usb' index='0'/>  <!-- usb -->\n"
         "    <controller type='sata' index='0'/>\n"
         "    <interface type='network'/>\n"
         "  </devices>\n"
         "</domain>\n");
    root = add_dev(DEV_CONTROLLER, -1);
    root->type = "pci";
    root->index = 0;
    root->model = "pcie-root";
    add_root_port(1, 1, 0x10, 2, 0)->addr.multifunction = TRI_ON;
    add_root_port(2, 2, 0x11, 2, 1);
    assert_render("<domain>\n"
                  "  <devices>\n"
                  "    <disk type='file'/>\n"
                  "    <controller type='usb' index='0'/>  <!-- usb -->\n"
                  "    <controller type='sata' index='0'/>\n"
                  "    <controller type='pci' index='0' model='pcie-root'/>\n"
                  "    <controller type='pci' index='1' "
                  "model='pcie-root-port'>\n"
                  "      <model name='pcie-root-port'/>\n"
                  "      <target chassis='1' port='0x10'/>\n"
                  "      <address type='pci' domain='0x0000' bus='0x00' "
                  "slot='0x02' function='0x0' multifunction='on'/>\n"
                  "    </controller>\n"
                  "    <controller type='pci' index='2' "
                  "model='pcie-root-port'>\n"
                  "      <model name='pcie-root-port'/>\n"
                  "      <target chassis='2' port='0x11'/>\n"
                  "      " ADDR_00_02_1 "\n"
                  "    </controller>\n"
                  "    <interface type='network'/>\n"
                  "  </devices>\n"
                  "</domain>\n");
}
END_TEST

START_TEST(test_added_after_earlier_kind_and_trailing_comment)
{
    struct device *balloon;

    load("<domain>\n"
         "  <devices>\n"
         "    <emulator>/usr/bin/qemu</emulator>\n"
         "    <disk type='file'/> <!-- the disk -->\n"
         "    <unknown-thing/>\n"
         "    <graphics type='vnc'/>\n"
         "  </devices>\n"
         "</domain>\n");
    add_root_port(1, 1, 0x10, 2, 0);
    balloon = add_dev(DEV_MEMBALLOON, -1);
    balloon->model = "virtio";
    set_pci(balloon, 1, 0, 0);
    assert_render("<domain>\n"
                  "  <devices>\n"
                  "    <emulator>/usr/bin/qemu</emulator>\n"
                  "    <disk type='file'/> <!-- the disk -->\n"
                  "    <controller type='pci' index='1' "
                  "model='pcie-root-port'>\n"
                  "      <model name='pcie-root-port'/>\n"
                  "      <target chassis='1' port='0x10'/>\n"
                  "      " ADDR_00_02_0 "\n"
                  "    </controller>\n"
                  "    <unknown-thing/>\n"
                  "    <graphics type='vnc'/>\n"
                  "    <memballoon model='virtio'>\n"
                  "      " ADDR_01_00_0 "\n"
                  "    </memballoon>\n"
                  "  </devices>\n"
                  "</domain>\n");
}
END_TEST

START_TEST(test_added_first_child)
{
    struct device *dev;

    load("<domain>\n"
         "  <devices>\n"
         "    <graphics type='vnc'/>\n"
         "  </devices>\n"
         "</domain>\n");
    dev = add_dev(DEV_CONTROLLER, -1);
    dev->type = "pci";
    dev->index = 0;
    dev->model = "pci-root";
    dev = add_dev(DEV_VIDEO, -1);
    dev->model = "cirrus";
    dev->primary = true;
    set_pci(dev, 0, 2, 0);
    assert_render("<domain>\n"
                  "  <devices>\n"
                  "    <controller type='pci' index='0' model='pci-root'/>\n"
                  "    <graphics type='vnc'/>\n"
                  "    <video>\n"
                  "      <model type='cirrus' primary='yes'/>\n"
                  "      " ADDR_00_02_0 "\n"
                  "    </video>\n"
                  "  </devices>\n"
                  "</domain>\n");
}
END_TEST

START_TEST(test_added_into_empty_devices)
{
    struct device *dev;

    load("<domain>\n"
         "  <name>x</name>\n"
         "  <devices/>\n"
         "</domain>\n");
    dev = add_dev(DEV_MEMBALLOON, -1);
    dev->model = "virtio";
    set_pci(dev, 0, 3, 0);
    dev = add_dev(DEV_CONTROLLER, -1);
    dev->type = "pci";
    dev->index = 0;
    dev->model = "pci-root";
    assert_render("<domain>\n"
                  "  <name>x</name>\n"
                  "  <devices>\n"
                  "    <controller type='pci' index='0' model='pci-root'/>\n"
                  "    <memballoon model='virtio'>\n"
                  "      " ADDR_00_03_0 "\n"
                  "    </memballoon>\n"
                  "  </devices>\n"
                  "</domain>\n");
}
END_TEST

/* <devices></devices> on one line opens up like <devices/>. */
START_TEST(test_added_into_empty_pair)
{
    struct device *dev;

    load("<domain>\n"
         "\t<devices></devices>\n"
         "</domain>\n");
    dev = add_dev(DEV_CONTROLLER, -1);
    dev->type = "pci";
    dev->index = 0;
    dev->model = "pci-root";
    dev = add_dev(DEV_MEMBALLOON, -1);
    set_pci(dev, 0, 3, 0);
    assert_render("<domain>\n"
                  "\t<devices>\n"
                  "\t\t<controller type='pci' index='0' model='pci-root'/>\n"
                  "\t\t<memballoon model='virtio'>\n"
                  "\t\t\t" ADDR_00_03_0 "\n"
                  "\t\t</memballoon>\n"
                  "\t</devices>\n"
                  "</domain>\n");
}
END_TEST

/* Each insertion ends its lines as the line it follows does. */
START_TEST(test_mixed_line_endings)
{
    struct device *dev;

    load("<domain>\n"
         "  <devices>\r\n"
         "    <disk type='file'>\n"
         "      <target dev='vda'/>\r\n"
         "    </disk>\n"
         "    <input type='tablet'/>\r\n"
         "  </devices>\n"
         "</domain>\n");
    set_pci(add_existing(DEV_DISK, "disk", 0), 0, 4, 0);
    set_pci(add_existing(DEV_INPUT, "input", 0), 0, 5, 0);
    dev = add_dev(DEV_CONTROLLER, -1);
    dev->type = "pci";
    dev->index = 0;
    dev->model = "pci-root";
    assert_render("<domain>\n"
                  "  <devices>\r\n"
                  "    <disk type='file'>\n"
                  "      <target dev='vda'/>\r\n"
                  "      " ADDR_00_04_0 "\r\n"
                  "    </disk>\n"
                  "    <controller type='pci' index='0' model='pci-root'/>\n"
                  "    <input type='tablet'>\r\n"
                  "      " ADDR_00_05_0 "\r\n"
                  "    </input>\r\n"
                  "  </devices>\n"
                  "</domain>\n");
}
END_TEST

/* New elements take their neighbours' quotes; a value holding that
 * quote or a line break is escaped. */
START_TEST(test_double_quoted_neighbours)
{
    struct device *dev;

    load("<domain type='kvm'>\n"
         "  <devices>\n"
         "    <disk type=\"file\">\n"
         "      <target dev=\"vda\"/>\n"
         "    </disk>\n"
         "  </devices>\n"
         "</domain>\n");
    set_pci(add_existing(DEV_DISK, "disk", 0), 0, 4, 0);
    dev = add_dev(DEV_WATCHDOG, -1);
    dev->model = "i6300esb";
    dev->type = "a\"b'\nc";
    assert_render("<domain type='kvm'>\n"
                  "  <devices>\n"
                  "    <disk type=\"file\">\n"
                  "      <target dev=\"vda\"/>\n"
                  "      <address type=\"pci\" domain=\"0x0000\" "
                  "bus=\"0x00\" slot=\"0x04\" function=\"0x0\"/>\n"
                  "    </disk>\n"
                  "    <watchdog type=\"a&quot;b&apos;&#10;c\" "
                  "model=\"i6300esb\"/>\n"
                  "  </devices>\n"
                  "</domain>\n");
}
END_TEST

START_TEST(test_devices_created)
{
    struct device *dev;

    load("<domain type='kvm'>\r\n"
         "    <name>x</name>\r\n"
         "    <os><type>hvm</type></os>\r\n"
         "</domain>");
    dev = add_dev(DEV_CONTROLLER, -1);
    dev->type = "pci";
    dev->index = 0;
    dev->model = "pci-root";
    dev = add_dev(DEV_MEMBALLOON, -1);
    set_pci(dev, 0, 3, 0);
    assert_render(
        "<domain type='kvm'>\r\n"
        "    <name>x</name>\r\n"
        "    <os><type>hvm</type></os>\r\n"
        "    <devices>\r\n"
        "        <controller type='pci' index='0' model='pci-root'/>\r\n"
        "        <memballoon model='virtio'>\r\n"
        "            " ADDR_00_03_0 "\r\n"
        "        </memballoon>\r\n"
        "    </devices>\r\n"
        "</domain>");
}
END_TEST

START_TEST(test_added_controller_target_node)
{
    struct device *dev;

    load("<domain>\n"
         "  <devices>\n"
         "    <controller type='pci' index='0' model='pcie-root'/>\n"
         "  </devices>\n"
         "</domain>\n");
    dev = add_dev(DEV_CONTROLLER, -1);
    dev->type = "pci";
    dev->index = 1;
    dev->model = "pcie-expander-bus";
    dev->model_name = "pxb-pcie";
    dev->target.bus_nr = 254;
    dev->target.hotplug = TRI_OFF;
    dev->target.node = 0;
    set_pci(dev, 0, 4, 0);
    assert_render("<domain>\n"
                  "  <devices>\n"
                  "    <controller type='pci' index='0' model='pcie-root'/>\n"
                  "    <controller type='pci' index='1' "
                  "model='pcie-expander-bus'>\n"
                  "      <model name='pxb-pcie'/>\n"
                  "      <target busNr='254' hotplug='off'>\n"
                  "        <node>0</node>\n"
                  "      </target>\n"
                  "      " ADDR_00_04_0 "\n"
                  "    </controller>\n"
                  "  </devices>\n"
                  "</domain>\n");
}
END_TEST

START_TEST(test_added_one_line_devices)
{
    struct device *dev;

    load("<domain><devices><disk type='file'/></devices></domain>");
    dev = add_dev(DEV_CONTROLLER, -1);
    dev->type = "pci";
    dev->index = 0;
    dev->model = "pci-root";
    dev = add_dev(DEV_MEMBALLOON, -1);
    set_pci(dev, 0, 3, 0);
    assert_render("<domain><devices><disk type='file'/>"
                  "<controller type='pci' index='0' model='pci-root'/>"
                  "<memballoon model='virtio'>" ADDR_00_03_0
                  "</memballoon></devices></domain>");
}
END_TEST

START_TEST(test_added_generic_and_escaping)
{
    struct device *dev;

    load("<domain>\n"
         "  <devices>\n"
         "  </devices>\n"
         "</domain>\n");
    dev = add_dev(DEV_WATCHDOG, -1);
    dev->model = "i6300esb";
    dev->type = "a'b&c";
    set_pci(dev, 0, 9, 0);
    assert_render("<domain>\n"
                  "  <devices>\n"
                  "    <watchdog type='a&apos;b&amp;c' model='i6300esb'>\n"
                  "      " ADDR_00_09_0 "\n"
                  "    </watchdog>\n"
                  "  </devices>\n"
                  "</domain>\n");
}
END_TEST

/* Numbers as libvirt writes them (printf's %ld, 0x%0Nx): the writer
 * formats them by hand, so widths, zeros and long values are pinned. */
START_TEST(test_added_numbers)
{
    struct device *dev;

    load("<domain>\n"
         "  <devices>\n"
         "  </devices>\n"
         "</domain>\n");
    dev = add_root_port(1234567890, 0, 0xab, 0x1f, 7);
    dev->target.bus_nr = 255;
    dev->addr.domain = 0x12345;
    dev->addr.bus = 0xff;
    dev = add_dev(DEV_INTERFACE, -1);
    dev->type = "network";
    set_pci(dev, 0, 0, 0);
    dev->zpci = (struct zpci_ids){0xffff, 0};
    assert_render("<domain>\n"
                  "  <devices>\n"
                  "    <controller type='pci' index='1234567890' "
                  "model='pcie-root-port'>\n"
                  "      <model name='pcie-root-port'/>\n"
                  "      <target chassis='0' port='0xab' busNr='255'/>\n"
                  "      <address type='pci' domain='0x12345' bus='0xff' "
                  "slot='0x1f' function='0x7'/>\n"
                  "    </controller>\n"
                  "    <interface type='network'>\n"
                  "      <address type='pci' domain='0x0000' bus='0x00' "
                  "slot='0x00' function='0x0'>\n"
                  "        <zpci uid='0xffff' fid='0x00000000'/>\n"
                  "      </address>\n"
                  "    </interface>\n"
                  "  </devices>\n"
                  "</domain>\n");
}
END_TEST

/* ---- <os><type machine=...> ---- */

START_TEST(test_machine_replaced)
{
    load("<domain>\n"
         "  <os>\n"
         "    <type arch=\"x86_64\" machine=\"pc\">hvm</type>\n"
         "  </os>\n"
         "</domain>\n");
    dom.machine = "pc-q35-7.2";
    dom.machine_changed = true;
    assert_render(
        "<domain>\n"
        "  <os>\n"
        "    <type arch=\"x86_64\" machine=\"pc-q35-7.2\">hvm</type>\n"
        "  </os>\n"
        "</domain>\n");
}
END_TEST

START_TEST(test_machine_after_arch)
{
    load("<domain>\n"
         "  <os>\n"
         "    <type arch=\"x86_64\" >hvm</type>\n"
         "  </os>\n"
         "</domain>\n");
    dom.machine = "q35";
    dom.machine_changed = true;
    assert_render("<domain>\n"
                  "  <os>\n"
                  "    <type arch=\"x86_64\" machine=\"q35\" >hvm</type>\n"
                  "  </os>\n"
                  "</domain>\n");
}
END_TEST

START_TEST(test_machine_no_arch)
{
    load("<domain><os><type>hvm</type></os></domain>");
    dom.machine = "pc-i440fx-7.2";
    dom.machine_changed = true;
    assert_render(
        "<domain><os><type machine='pc-i440fx-7.2'>hvm</type></os></domain>");
}
END_TEST

START_TEST(test_machine_unflagged)
{
    static const char doc[] =
        "<domain><os><type machine='pc'>hvm</type></os></domain>";

    load(doc);
    dom.machine = "q35";
    assert_render(doc);
}
END_TEST

Suite *writer_suite(void)
{
    Suite *s = suite_create("writer");
    TCase *tc = tcase_create("writer");

    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, test_identity);
    tcase_add_test(tc, test_address_last_child);
    tcase_add_test(tc, test_address_replaced);
    tcase_add_test(tc, test_self_closing_device);
    tcase_add_test(tc, test_one_line_device);
    tcase_add_test(tc, test_crlf_and_tabs);
    tcase_add_test(tc, test_tab_indent_step);
    tcase_add_test(tc, test_end_tag_not_on_own_line);
    tcase_add_test(tc, test_address_before_driver);
    tcase_add_test(tc, test_address_before_limits_and_pcihole);
    tcase_add_test(tc, test_adds_multifunction);
    tcase_add_test(tc, test_existing_attribute_rewritten);
    tcase_add_test(tc, test_target_attrs_inserted);
    tcase_add_test(tc, test_controller_children_added);
    tcase_add_test(tc, test_model_before_target);
    tcase_add_test(tc, test_target_after_existing_model);
    tcase_add_test(tc, test_controller_index_and_model_added);
    tcase_add_test(tc, test_added_after_same_kind);
    tcase_add_test(tc, test_added_after_earlier_kind_and_trailing_comment);
    tcase_add_test(tc, test_added_first_child);
    tcase_add_test(tc, test_added_into_empty_devices);
    tcase_add_test(tc, test_added_into_empty_pair);
    tcase_add_test(tc, test_mixed_line_endings);
    tcase_add_test(tc, test_double_quoted_neighbours);
    tcase_add_test(tc, test_devices_created);
    tcase_add_test(tc, test_added_controller_target_node);
    tcase_add_test(tc, test_added_one_line_devices);
    tcase_add_test(tc, test_added_generic_and_escaping);
    tcase_add_test(tc, test_added_numbers);
    tcase_add_test(tc, test_machine_replaced);
    tcase_add_test(tc, test_machine_after_arch);
    tcase_add_test(tc, test_machine_no_arch);
    tcase_add_test(tc, test_machine_unflagged);
    suite_add_tcase(s, tc);
    return s;
}
