/*
 * Unit tests for topo.c, report.c, lint.c, strip.c and writer_delete():
 * the views of a planned domain and --strip, on small domains planned
 * (or only loaded) from text.
 */
#define _XOPEN_SOURCE 700 /* open_memstream */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "check_suites.h"
#include "xml/load.h"
#include "app/cli.h"
#include "app/fileio.h"
#include "view/lint.h"
#include "plan/plan.h"
#include "view/report.h"
#include "render/strip.h"
#include "view/topo.h"
#include "render/writer.h"

struct fixture {
    struct xmldoc xd;
    struct domain dom;
    struct topo t;
    struct diag d;
};

static struct fixture fx;

/* Parse 'text' and load it; plan it too when 'plan' is set. */
static void load(const char *text, bool plan, int reserve)
{
    size_t len = strlen(text);
    char *copy = malloc(len + 1);
    struct plan_options opt = PLAN_OPTIONS_DEFAULT;

    memcpy(copy, text, len + 1);
    memset(&fx, 0, sizeof(fx));
    opt.reserve = reserve;
    ck_assert_int_eq(xmldoc_parse(&fx.xd, copy, len, &fx.d), 0);
    ck_assert_int_eq(domain_load(&fx.dom, &fx.xd, &fx.d), 0);
    if (plan) {
        ck_assert_int_eq(plan_run(&fx.dom, &opt, &fx.d), 0);
        topo_build(&fx.t, &fx.dom, NULL);
    }
}

static void teardown(void)
{
    topo_free(&fx.t);
    domain_free(&fx.dom);
    xmldoc_free(&fx.xd);
}

/* A domain of 'machine' with 'devices' inside <devices>. */
static const char *domain_text(const char *machine, const char *devices)
{
    static char buf[8192];

    snprintf(buf, sizeof(buf),
             "<domain type='kvm'>\n  <name>t</name>\n  <os>\n"
             "    <type arch='x86_64' machine='%s'>hvm</type>\n  </os>\n"
             "  <devices>\n%s  </devices>\n</domain>\n",
             machine, devices);
    return buf;
}

#define NIC(extra)                                                             \
    "    <interface type='user'><model type='virtio'/>" extra "</interface>\n"
#define PCI_ADDR(bus, slot, fn)                                                \
    "<address type='pci' domain='0x0000' bus='" bus "' slot='" slot            \
    "' function='" fn "'/>"

/* ---- topo ---- */

START_TEST(test_census_q35_default)
{
    struct topo_census c;

    /* libvirt: root ports for the NIC, USB and the balloon, and one
     * empty as reserve */
    load(domain_text("q35", NIC("")), true, 1);
    topo_census(&fx.t, -1, &c);
    ck_assert_uint_eq(c.pcie_hotplug, 1);
    ck_assert_uint_eq(c.pci_hotplug, 0);
    /* pcie-root: slots 1..31 but 00:01 (the root ports) and 0x1f */
    ck_assert_uint_eq(c.coldplug, 29);
    ck_assert_uint_eq(fx.t.nctrls, 5);
    ck_assert_ptr_nonnull(topo_chipset_name(&fx.t, 0x1f, 0));
    ck_assert_int_eq(fx.t.bus[0]->slot_fn[0x1f][3], TOPO_CHIPSET);
}
END_TEST

START_TEST(test_census_pc)
{
    struct topo_census c;

    load(domain_text("pc", NIC("")), true, 1);
    topo_census(&fx.t, -1, &c);
    /* slots 1 (chipset), 2 (NIC), 3 (balloon) in use of 1..31 */
    ck_assert_uint_eq(c.pci_hotplug, 28);
    ck_assert_uint_eq(c.pcie_hotplug + c.coldplug, 0);
}
END_TEST

START_TEST(test_hotplug_off)
{
    struct topo_census c;

    load(domain_text("q35", "    <controller type='pci' index='1' "
                            "model='pcie-root-port'><target "
                            "hotplug='off'/></controller>\n"),
         true, 0);
    topo_census(&fx.t, 1, &c);
    ck_assert(!fx.t.bus[1]->hotplug);
    ck_assert_uint_eq(c.pcie_hotplug, 0);
}
END_TEST

START_TEST(test_dev_names)
{
    char name[96], detail[128];

    load(domain_text("q35", "    <disk type='file' device='disk'><target "
                            "dev='vda' bus='virtio'/></disk>\n" NIC("")),
         true, 1);
    topo_dev_name(&fx.t, 0, name, sizeof(name));
    topo_dev_detail(&fx.t, 0, detail, sizeof(detail));
    ck_assert_str_eq(name, "disk #1");
    ck_assert_str_eq(detail, "virtio vda, PCIe");
    topo_dev_name(&fx.t, 1, name, sizeof(name));
    ck_assert_str_eq(name, "interface #1");
}
END_TEST

/* ---- report ---- */

static char *capture_explain(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    report_explain(f, &fx.t, "", 1);
    fclose(f);
    return buf;
}

START_TEST(test_explain_lines)
{
    char *text;

    load(domain_text("q35", NIC("")), true, 1);
    text = capture_explain();
    ck_assert_ptr_nonnull(strstr(
        text, "interface #1 (virtio, PCIe) -> 0000:01:00.0 on pcie-root-port "
              "index 1 (hotpluggable): lowest free slot for a PCIe device\n"));
    ck_assert_ptr_nonnull(
        strstr(text, "controller pci index 1 (pcie-root-port) -> "
                     "0000:00:01.0: added because interface #1 (line 7) "
                     "needed a PCIe slot\n"));
    ck_assert_ptr_nonnull(strstr(text, "added empty as hotplug reserve"));
    ck_assert_ptr_nonnull(
        strstr(text, "memballoon #1 (virtio, PCIe) -> 0000:03:00.0: added, "
                     "as libvirt adds a virtio memballoon by default\n"));
    free(text);
}
END_TEST

START_TEST(test_explain_nothing_when_complete)
{
    char *text;

    load(domain_text("pc", "    <controller type='pci' index='0' "
                           "model='pci-root'/>\n"
                           "    <controller type='usb' index='0' "
                           "model='none'/>\n"
                           "    <memballoon model='none'/>\n"),
         true, 1);
    text = capture_explain();
    ck_assert_str_eq(text, "");
    free(text);
}
END_TEST

START_TEST(test_show_json_escapes)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f;

    /* a model with a quote and a newline (&#10;) must stay valid JSON */
    load(domain_text("pc", "    <interface type='user'><model "
                           "type='we&quot;ird&#10;'/></interface>\n"),
         true, 1);
    f = open_memstream(&buf, &len);
    report_show(f, &fx.t, SHOW_JSON);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(buf, "\"model\": \"we\\\"ird\\u000a\""));
    ck_assert_ptr_nonnull(strstr(buf, "\"schema\": \"pciplan-topology/1\""));
    free(buf);
}
END_TEST

START_TEST(test_show_format_names)
{
    ck_assert_int_eq(report_show_format("tree"), SHOW_TREE);
    ck_assert_int_eq(report_show_format("dot"), SHOW_DOT);
    ck_assert_int_eq(report_show_format("json"), SHOW_JSON);
    ck_assert_int_eq(report_show_format("svg"), SHOW_NONE);
    ck_assert_int_eq(report_show_format(NULL), SHOW_NONE);
}
END_TEST

/* ---- lint ---- */

static struct lint_result lint(int reserve)
{
    struct lint_options lo = {reserve, 0};
    struct lint_result r;

    ck_assert_int_eq(lint_run(&fx.t, &lo, &r), 0);
    return r;
}

static bool has_finding(const struct lint_result *r, unsigned line,
                        const char *part)
{
    for (size_t i = 0; i < r->n; i++) {
        if (r->v[i].line == line && strstr(r->v[i].msg, part))
            return true;
    }
    return false;
}

/* A finding as lint_run makes it, for lint_print. */
static void push_finding(struct lint_result *r, unsigned line,
                         const char *element, const char *msg)
{
    struct lint_finding *f;

    r->v = realloc(r->v, (r->n + 1) * sizeof(*r->v));
    ck_assert_ptr_nonnull(r->v);
    f = &r->v[r->n];
    memset(f, 0, sizeof(*f));
    f->order = f->seq = r->n++;
    f->line = line;
    snprintf(f->element, sizeof(f->element), "%s", element);
    snprintf(f->msg, sizeof(f->msg), "%s", msg);
}

/* Findings that differ only in numbers are one line from GROUP_MIN (4)
 * on, with the count, the lines and each varying number's range; a
 * number inside a word (e1000, ich6) is part of the word. */
START_TEST(test_lint_print_groups)
{
    struct lint_result r = {0};
    char msg[128], *buf = NULL;
    size_t len = 0;
    FILE *f;
    static const char *const slots[] = {"10", "03", "1f", "0a"};

    for (int i = 0; i < 5; i++) {
        snprintf(msg, sizeof(msg), "needs controller scsi index %d, ok", i);
        push_finding(&r, 10u * (unsigned)i + 10, "disk", msg);
    }
    for (int i = 0; i < 4; i++) {
        snprintf(msg, sizeof(msg), "address 0000:00:%s.0 is on pcie-root",
                 slots[i]);
        push_finding(&r, 100u + (unsigned)i, "interface", msg);
    }
    push_finding(&r, 200, "interface", "e1000 is conventional");
    push_finding(&r, 201, "interface", "e1000 is conventional");
    push_finding(&r, 202, "interface", "rtl8139 is conventional");
    push_finding(&r, 203, "interface", "rtl8139 is conventional");
    for (int i = 0; i < 3; i++)
        push_finding(&r, 300u + (unsigned)i, "sound", "slot 2 of 3");
    f = open_memstream(&buf, &len);
    lint_print(&r, "d.xml", f);
    fclose(f);
    ck_assert_str_eq(
        buf, "pciplan: d.xml:10: <disk>: warning: 5 <disk> elements (lines 10 "
             "to 50): needs controller scsi index 0 to 4, ok\n"
             "pciplan: d.xml:100: <interface>: warning: 4 <interface> "
             "elements (lines 100 to 103): address 0000:00:03.0 to "
             "0000:00:1f.0 is on pcie-root\n"
             "pciplan: d.xml:200: <interface>: warning: e1000 is "
             "conventional\n"
             "pciplan: d.xml:201: <interface>: warning: e1000 is "
             "conventional\n"
             "pciplan: d.xml:202: <interface>: warning: rtl8139 is "
             "conventional\n"
             "pciplan: d.xml:203: <interface>: warning: rtl8139 is "
             "conventional\n"
             "pciplan: d.xml:300: <sound>: warning: slot 2 of 3\n"
             "pciplan: d.xml:301: <sound>: warning: slot 2 of 3\n"
             "pciplan: d.xml:302: <sound>: warning: slot 2 of 3\n");
    free(buf);
    lint_free(&r);
}
END_TEST

START_TEST(test_lint_clean)
{
    struct lint_result r;

    load(domain_text("q35", NIC("")), true, 1);
    r = lint(1);
    ck_assert_uint_eq(r.n, 0);
    lint_free(&r);
}
END_TEST

#define CTRL(idx, model, addr)                                                 \
    "    <controller type='pci' index='" idx "' model='" model "'>" addr       \
    "</controller>\n"

/* upstream port 2 sits on downstream port 3, which sits on port 2 */
static const char *const cycle_devices =
    CTRL("1", "pcie-root-port", PCI_ADDR("0x00", "0x02", "0x0"))
        CTRL("2", "pcie-switch-upstream-port", PCI_ADDR("0x03", "0x00", "0x0"))
            CTRL("3", "pcie-switch-downstream-port",
                 PCI_ADDR("0x02", "0x00", "0x0"));

START_TEST(test_lint_cycle)
{
    struct lint_result r;

    load(domain_text("q35", cycle_devices), true, 1);
    r = lint(1);
    ck_assert(has_finding(&r, 8, "index 2, 3 plug into each other"));
    lint_free(&r);
}
END_TEST

START_TEST(test_lint_multifunction)
{
    struct lint_result r;

    load(domain_text("pc", NIC(PCI_ADDR("0x00", "0x05", "0x0"))
                               NIC(PCI_ADDR("0x00", "0x05", "0x1"))
                                   NIC(PCI_ADDR("0x00", "0x06", "0x2"))),
         true, 1);
    r = lint(1);
    ck_assert(has_finding(&r, 7, "multifunction='on' is missing"));
    ck_assert(has_finding(&r, 9, "function 0 is not"));
    ck_assert_uint_eq(r.n, 2);
    lint_free(&r);
}
END_TEST

START_TEST(test_lint_hotplug_room)
{
    struct lint_result r;

    load(domain_text("q35", "    <controller type='pci' index='1' "
                            "model='pcie-root-port'/>\n" NIC("")),
         true, 1);
    r = lint(1);
    ck_assert(has_finding(&r, 0, "no free hotpluggable slot"));
    lint_free(&r);
    r = lint(0); /* --reserve 0 asked for no room */
    ck_assert_uint_eq(r.n, 0);
    lint_free(&r);
}
END_TEST

/* ---- writer_delete and strip ---- */

/* Delete the a-th and b-th (from 0; -1: none) elements called 'name'. */
static char *delete_elems(const char *name, int a, int b)
{
    long elems[2];
    size_t n = 0;
    char *out = NULL;
    size_t outlen;
    int k = 0;

    for (size_t i = 0; i < fx.xd.nelems; i++) {
        if (!xmldoc_name_is(&fx.xd, (long)i, name))
            continue;
        if (k == a || k == b)
            elems[n++] = (long)i;
        k++;
    }
    xmldoc_drop_values(&fx.xd); /* writer_delete reads only the table */
    ck_assert_int_eq(writer_delete(&fx.xd, elems, n, &out, &outlen, &fx.d), 0);
    ck_assert_uint_eq(outlen, strlen(out));
    return out;
}

START_TEST(test_delete_whole_lines)
{
    char *out;

    load("<domain>\r\n  <a/>\r\n  <b>\r\n    <a x='1'/>\r\n  </b>\r\n"
         "  <a/> <!-- c -->\r\n  <b><a/></b>\r\n</domain>\r\n",
         false, 1);
    out = delete_elems("a", 0, 1);
    /* a <b> left with nothing but blanks closes itself, as libvirt
     * writes an empty element */
    ck_assert_str_eq(out, "<domain>\r\n  <b/>\r\n"
                          "  <a/> <!-- c -->\r\n  <b><a/></b>\r\n"
                          "</domain>\r\n");
    free(out);
    out = delete_elems("a", 2, 3);
    ck_assert_str_eq(out, "<domain>\r\n  <a/>\r\n  <b>\r\n    <a x='1'/>\r\n"
                          "  </b>\r\n  <!-- c -->\r\n  <b/>\r\n"
                          "</domain>\r\n");
    free(out);
}
END_TEST

START_TEST(test_delete_nested)
{
    char *out;

    load("<domain>\n\t<b>\n\t\t<a/>\n\t</b>\n</domain>\n", false, 1);
    out = delete_elems("b", 0, -1);
    ck_assert_str_eq(out, "<domain>\n</domain>\n");
    free(out);
}
END_TEST

static const char *const strip_doc =
    "<domain type='kvm'>\n  <name>s</name>\n  <os>\n"
    "    <type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type>\n  </os>\n"
    "  <devices>\n"
    "    <controller type='usb' index='0' model='piix3-uhci'>\n"
    "      " PCI_ADDR(
        "0x00", "0x01",
        "0x2") "\n"
               "    </controller>\n"
               "    <controller type='ide' index='0'>\n"
               "      " PCI_ADDR(
                   "0x00", "0x01",
                   "0x1") "\n"
                          "    </controller>\n"
                          "    <controller type='pci' index='0' "
                          "model='pci-root'/>\n"
                          "    <controller type='virtio-serial' index='0'>\n"
                          "      " PCI_ADDR(
                              "0x00", "0x04",
                              "0x0") "\n"
                                     "    </controller>\n"
                                     "    <hostdev mode='subsystem' "
                                     "type='pci'>\n"
                                     "      <source>\n"
                                     "        <address domain='0x0000' "
                                     "bus='0x3b' slot='0x00' "
                                     "function='0x1'/>\n"
                                     "      </source>\n"
                                     "      " PCI_ADDR(
                                         "0x00", "0x05",
                                         "0x0") "\n"
                                                "    </hostdev>\n"
                                                "    <input type='tablet' "
                                                "bus='usb'>\n"
                                                "      <address type='usb' "
                                                "bus='0' port='1'/>\n"
                                                "    </input>\n"
                                                "  </devices>\n</domain>\n";

START_TEST(test_strip)
{
    char *out = NULL;
    size_t outlen;

    load(strip_doc, false, 1);
    ck_assert_int_eq(strip_render(&fx.xd, &fx.dom, &out, &outlen, &fx.d), 0);
    ck_assert_str_eq(out, "<domain type='kvm'>\n  <name>s</name>\n  <os>\n"
                          "    <type arch='x86_64' machine='pc-i440fx-7.2'>hvm"
                          "</type>\n  </os>\n"
                          "  <devices>\n"
                          "    <controller type='virtio-serial' index='0'/>\n"
                          "    <hostdev mode='subsystem' type='pci'>\n"
                          "      <source>\n"
                          "        <address domain='0x0000' bus='0x3b' "
                          "slot='0x00' function='0x1'/>\n"
                          "      </source>\n"
                          "    </hostdev>\n"
                          "    <input type='tablet' bus='usb'/>\n"
                          "  </devices>\n</domain>\n");
    free(out);
}
END_TEST

START_TEST(test_strip_keeps_chosen_controllers)
{
    long elems[16];

    /* ports= is a choice, and an IDE disk needs IDE 0 */
    load(domain_text("pc", "    <controller type='usb' index='0' "
                           "model='piix3-uhci' ports='2'/>\n"
                           "    <controller type='ide' index='0'/>\n"
                           "    <disk type='file' device='cdrom'><target "
                           "dev='hdc' bus='ide'/></disk>\n"
                           "    <controller type='usb' index='1' "
                           "model='piix3-uhci'/>\n"),
         false, 1);
    ck_assert_uint_eq(strip_select(&fx.xd, &fx.dom, elems), 0);
}
END_TEST

/* ---- command line ---- */

static int parse(struct options *o, int argc, const char **argv)
{
    struct diag d = {0};
    FILE *sink = fopen("/dev/null", "w");
    int ret = options_parse(o, argc, argv, sink, &d);

    fclose(sink);
    return ret;
}

START_TEST(test_cli_bare_explain_takes_no_file)
{
    struct options o;
    const char *bare[] = {"pciplan", "--explain", "dom.xml", NULL};
    const char *eq[] = {"pciplan", "--explain=why.txt", "dom.xml", NULL};
    const char *after[] = {"pciplan", "--", "--explain", NULL};

    ck_assert_int_eq(parse(&o, 3, bare), OPTIONS_RUN);
    ck_assert(o.explain);
    ck_assert_ptr_null(o.explain_file);
    ck_assert_uint_eq(o.nfiles, 1);
    ck_assert_str_eq(o.files[0], "dom.xml");
    options_free(&o);

    ck_assert_int_eq(parse(&o, 3, eq), OPTIONS_RUN);
    ck_assert_str_eq(o.explain_file, "why.txt");
    options_free(&o);

    /* after "--" it is a file name */
    ck_assert_int_eq(parse(&o, 3, after), OPTIONS_RUN);
    ck_assert(!o.explain);
    ck_assert_str_eq(o.files[0], "--explain");
    options_free(&o);
}
END_TEST

START_TEST(test_cli_report_options)
{
    struct options o;
    const char *all[] = {"pciplan", "--show",  "dot", "--capacity",
                         "-W",      "dom.xml", NULL};
    const char *strip[] = {"pciplan", "--strip", "-r", "2", "dom.xml", NULL};

    ck_assert_int_eq(parse(&o, 6, all), OPTIONS_RUN);
    ck_assert_int_eq(o.view, RUN_VIEW_SHOW_DOT);
    ck_assert(o.capacity && o.werror);
    options_free(&o);

    ck_assert_int_eq(parse(&o, 5, strip), OPTIONS_ERROR);
    options_free(&o);
}
END_TEST

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = calloc(1, 65536);

    ck_assert_ptr_nonnull(f);
    ck_assert_uint_lt(fread(buf, 1, 65535, f), 65535);
    fclose(f);
    return buf;
}

/* --explain=FILE collects the lines of every file and writes them once */
START_TEST(test_cli_explain_file)
{
    char dir[] = "/tmp/check-report.XXXXXX", dom[64], why[64], out[64];
    const char *argv[] = {"pciplan", NULL, "--check", "-q", dom, NULL, NULL};
    struct options o;
    FILE *f;
    char *text;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(dom, sizeof(dom), "%s/dom.xml", dir);
    snprintf(why, sizeof(why), "--explain=%s/why.txt", dir);
    snprintf(out, sizeof(out), "%s/why.txt", dir);
    argv[1] = why;
    argv[5] = dom; /* the same file twice: two blocks of lines */
    f = fopen(dom, "w");
    fputs(domain_text("pc", NIC("")), f);
    fclose(f);
    ck_assert_int_eq(parse(&o, 6, argv), OPTIONS_RUN);
    ck_assert_int_eq(cli_run(&o), STATUS_CHANGES);
    options_free(&o);
    text = slurp(out);
    ck_assert_ptr_nonnull(strstr(text, "dom.xml: interface #1 (virtio, PCI) "
                                       "-> 0000:00:02.0 on pci-root index 0"));
    ck_assert_ptr_nonnull(
        strstr(strstr(text, "memballoon #1") + 1, "memballoon #1"));
    free(text);
    unlink(out);
    unlink(dom);
    rmdir(dir);
}
END_TEST

Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("views");

    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, test_census_q35_default);
    tcase_add_test(tc, test_census_pc);
    tcase_add_test(tc, test_hotplug_off);
    tcase_add_test(tc, test_dev_names);
    tcase_add_test(tc, test_explain_lines);
    tcase_add_test(tc, test_explain_nothing_when_complete);
    tcase_add_test(tc, test_show_json_escapes);
    tcase_add_test(tc, test_show_format_names);
    tcase_add_test(tc, test_lint_clean);
    tcase_add_test(tc, test_lint_print_groups);
    tcase_add_test(tc, test_lint_cycle);
    tcase_add_test(tc, test_lint_multifunction);
    tcase_add_test(tc, test_lint_hotplug_room);
    tcase_add_test(tc, test_delete_whole_lines);
    tcase_add_test(tc, test_delete_nested);
    tcase_add_test(tc, test_strip);
    tcase_add_test(tc, test_strip_keeps_chosen_controllers);
    tcase_add_test(tc, test_cli_bare_explain_takes_no_file);
    tcase_add_test(tc, test_cli_report_options);
    tcase_add_test(tc, test_cli_explain_file);
    suite_add_tcase(s, tc);
    return s;
}
