/*
 * pcbench.c: how fast is pciplan compared with just parsing and writing?
 *
 * Generates large domains, writes them to a temporary directory, runs
 * src/pciplan and `xmllint --format` on each (output to /dev/null) and
 * prints wall time and peak RSS, best of N runs, with the ratio of the
 * two. xmllint --format is the floor: the cost of parsing the same
 * document and writing it back out.
 *
 * A batch case writes many small domains instead of one large one and
 * times pciplan over all of them: one process per file, and one
 * `pciplan --check -q FILE...` that plans every file in one process,
 * against `xmllint --format` the same two ways. On a sample of them it
 * also times libvirt itself: tests/libvirt-golden --outdir (virsh define
 * + dumpxml --inactive on an embedded qemu:///embed driver), and checks
 * with tests/golden-compare that libvirt's PCI layout is pciplan's.
 *
 * Usage: bench/pcbench [-n DEVICES] [-b FILES] [-s SAMPLE] [-r RUNS]
 *                      [-p PCIPLAN] [-L LIBVIRT_GOLDEN] [-G GOLDEN_COMPARE]
 *                      [-k DIR] [CASE...]
 *   -n  devices per generated domain (default 7000; the pc cases)
 *   -b  domains in a batch case (default 10000)
 *   -s  domains of a batch defined on libvirt (default 50; 0: none)
 *   -r  runs per program, the best is reported (default 3; a batch's
 *       one-process-per-file loops run once)
 *   -p  the pciplan binary (default src/pciplan)
 *   -L  tests/libvirt-golden (default; skipped when missing or no virsh)
 *   -G  tests/golden-compare (default)
 *   -k  keep the generated domains in DIR instead of a temporary dir
 *   CASE  names of the cases to run (default all; -l lists them)
 *
 * Cases are rows of the table 'cases' below: a name, what it is, a
 * generator and, for a batch, the kind of domain written FILES times.
 *
 * Exit status: 0 when pciplan succeeded on every case, 1 otherwise, 2 on
 * usage or setup errors.
 */
#define _DEFAULT_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------ generation */

struct gen_params {
    long devices; /* endpoint devices to generate */
    long batch;   /* domains in a batch case */
    long sample;  /* of them defined on libvirt */
};

/* What a generator reports about the domain it wrote. */
struct gen_result {
    long devices;     /* endpoint devices in the file */
    long controllers; /* PCI controllers listed in the file */
};

typedef int (*generator)(FILE *f, const char *name, const struct gen_params *p,
                         struct gen_result *r);

/* libvirt's disk names: vda..vdz, vdaa..vdzz, vdaaa... (index from 0). */
static void disk_name(long idx, char *buf, size_t size)
{
    char tmp[16];
    int n = 0;

    idx++;
    while (idx > 0 && n < (int)sizeof(tmp)) {
        idx--;
        tmp[n++] = (char)('a' + idx % 26);
        idx /= 26;
    }
    if ((size_t)n + 3 > size) {
        buf[0] = '\0';
        return;
    }
    buf[0] = 'v';
    buf[1] = 'd';
    for (int i = 0; i < n; i++)
        buf[2 + i] = tmp[n - 1 - i];
    buf[2 + n] = '\0';
}

static void domain_head(FILE *f, const char *name, const char *machine)
{
    unsigned long h = 5381;

    for (const char *c = name; *c; c++)
        h = (h * 33 + (unsigned char)*c) & 0xffffffffffffUL;
    fprintf(f,
            "<domain type='kvm'>\n"
            "  <name>%s</name>\n"
            "  <uuid>00000000-0000-4000-8000-%012lx</uuid>\n"
            "  <memory unit='GiB'>64</memory>\n"
            "  <vcpu placement='static'>16</vcpu>\n"
            "  <os>\n"
            "    <type arch='x86_64' machine='%s'>hvm</type>\n"
            "    <boot dev='hd'/>\n"
            "  </os>\n"
            "  <features>\n"
            "    <acpi/>\n"
            "    <apic/>\n"
            "  </features>\n"
            "  <devices>\n"
            "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n",
            name, h, machine);
}

static void domain_tail(FILE *f)
{
    fputs("    <memballoon model='virtio'/>\n"
          "  </devices>\n"
          "</domain>\n",
          f);
}

/*
 * Half virtio disks, half virtio NICs, none with an address: the kinds a
 * big storage or network appliance guest has.
 */
static void pc_endpoints(FILE *f, long n)
{
    long disks = n / 2, nics = n - disks;
    char dev[16];

    for (long i = 0; i < disks; i++) {
        disk_name(i, dev, sizeof(dev));
        fprintf(f,
                "    <disk type='file' device='disk'>\n"
                "      <driver name='qemu' type='qcow2'/>\n"
                "      <source file='/var/lib/libvirt/images/d%ld.qcow2'/>\n"
                "      <target dev='%s' bus='virtio'/>\n"
                "    </disk>\n",
                i, dev);
    }
    for (long i = 0; i < nics; i++)
        fprintf(f,
                "    <interface type='bridge'>\n"
                "      <mac address='52:54:00:%02lx:%02lx:%02lx'/>\n"
                "      <source bridge='br%ld'/>\n"
                "      <model type='virtio'/>\n"
                "    </interface>\n",
                (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff, i % 4);
}

/*
 * pci-bridges needed for 'endpoints' devices on pc when libvirt places
 * the listed bridges: pci-root offers slots 2..31 (slot 1 is the PIIX3),
 * each bridge 31 slots and takes one; libvirt keeps one slot spare. One
 * more bridge than the minimum, so the spare never forces an addition.
 */
static long pc_bridges_needed(long endpoints)
{
    long need = endpoints + 1 + 1 - 30; /* + memballoon + spare slot */

    if (need <= 0)
        return 1;
    return (need + 29) / 30 + 1;
}

/* (a) with every pci-bridge listed, as libvirt needs them */
static int gen_pc_bridges(FILE *f, const char *name, const struct gen_params *p,
                          struct gen_result *r)
{
    long bridges = pc_bridges_needed(p->devices);

    if (bridges > 255) {
        fprintf(stderr,
                "pcbench: %ld devices need %ld pci-bridges, "
                "more than the 255 buses of pc\n",
                p->devices, bridges);
        return -1;
    }
    domain_head(f, name, "pc");
    pc_endpoints(f, p->devices);
    fputs("    <controller type='pci' index='0' model='pci-root'/>\n", f);
    for (long i = 1; i <= bridges; i++)
        fprintf(f,
                "    <controller type='pci' index='%ld' model='pci-bridge'/>\n",
                i);
    domain_tail(f);
    r->devices = p->devices;
    r->controllers = bridges + 1;
    return 0;
}

/* (b) no controllers at all: pciplan adds and nests the bridges itself */
static int gen_pc_plain(FILE *f, const char *name, const struct gen_params *p,
                        struct gen_result *r)
{
    domain_head(f, name, "pc");
    pc_endpoints(f, p->devices);
    domain_tail(f);
    r->devices = p->devices;
    r->controllers = 0;
    return 0;
}

/* q35 domains are type 'qemu' so that libvirt takes them without KVM */
static void q35_head(FILE *f, const char *name, long vcpus)
{
    unsigned long h = 5381;

    for (const char *c = name; *c; c++)
        h = (h * 33 + (unsigned char)*c) & 0xffffffffffffUL;
    fprintf(f,
            "<domain type='qemu'>\n"
            "  <name>%s</name>\n"
            "  <uuid>00000000-0000-4000-8000-%012lx</uuid>\n"
            "  <memory unit='GiB'>4</memory>\n"
            "  <vcpu placement='static'>%ld</vcpu>\n"
            "  <os>\n"
            "    <type arch='x86_64' machine='q35'>hvm</type>\n"
            "  </os>\n"
            "  <features>\n"
            "    <acpi/>\n"
            "    <apic/>\n"
            "  </features>\n"
            "  <devices>\n"
            "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n",
            name, h, vcpus);
}

/*
 * The whole bus space of q35: every PCIe device needs a bus of its own
 * (a root port or a switch downstream port) and there are 255 buses
 * besides pcie-root. The user lists 232 pcie-root-ports, which fill
 * pcie-root slots 0x01..0x1d with 8 functions each (0x1e is left, 0x1f
 * is the ICH9), and two switches (upstream port on a root port, 10
 * downstream ports at explicit slots of each). 254 controllers, 250
 * endpoints: 230 on root ports and 20 behind the switches. No USB
 * controller and no memballoon, which would need buses too. Checked
 * once with tests/libvirt-golden --outdir: accepted, and libvirt's PCI
 * layout is pciplan's.
 */
#define Q35_ROOT_PORTS 232
#define Q35_SWITCHES 2
#define Q35_DOWNSTREAM 10 /* per switch */
#define Q35_DEVICES                                                            \
    (Q35_ROOT_PORTS - Q35_SWITCHES + Q35_SWITCHES * Q35_DOWNSTREAM)

static int gen_q35_switches(FILE *f, const char *name,
                            const struct gen_params *p, struct gen_result *r)
{
    long idx = 1;

    (void)p;
    q35_head(f, name, 16);
    pc_endpoints(f, Q35_DEVICES);
    fputs("    <controller type='usb' index='0' model='none'/>\n"
          "    <controller type='pci' index='0' model='pcie-root'/>\n",
          f);
    for (long i = 0; i < Q35_ROOT_PORTS; i++, idx++)
        fprintf(f,
                "    <controller type='pci' index='%ld' "
                "model='pcie-root-port'/>\n",
                idx);
    for (long i = 0; i < Q35_SWITCHES; i++, idx++)
        fprintf(f,
                "    <controller type='pci' index='%ld' "
                "model='pcie-switch-upstream-port'/>\n",
                idx);
    for (long i = 0; i < Q35_SWITCHES * Q35_DOWNSTREAM; i++, idx++)
        fprintf(f,
                "    <controller type='pci' index='%ld' "
                "model='pcie-switch-downstream-port'>\n"
                "      <address type='pci' domain='0x0000' bus='0x%02lx' "
                "slot='0x%02lx' function='0x0'/>\n"
                "    </controller>\n",
                idx, Q35_ROOT_PORTS + 1 + i / Q35_DOWNSTREAM,
                i % Q35_DOWNSTREAM);
    fputs("    <memballoon model='none'/>\n"
          "  </devices>\n"
          "</domain>\n",
          f);
    r->devices = Q35_DEVICES;
    r->controllers = idx;
    return 0;
}

/*
 * One small q35 guest of a batch, 3 to 8 devices chosen from the name:
 * virtio disks and NICs, now and then an e1000 (conventional PCI: a
 * pcie-to-pci-bridge), an rng, a virtio-serial controller, graphics
 * with a qxl video. The implicit USB controller, SATA controller and
 * memballoon come on top.
 */
static int gen_q35_small(FILE *f, const char *name, const struct gen_params *p,
                         struct gen_result *r)
{
    unsigned long h = 5381;
    long n, disks = 0, nics = 0;
    char dev[16];

    (void)p;
    for (const char *c = name; *c; c++)
        h = (h * 33 + (unsigned char)*c) & 0xffffffffUL;
    h = h * 2654435761UL & 0xffffffffUL;
    n = 3 + (long)(h % 6);
    q35_head(f, name, 2);
    for (long i = 0; i < n; i++) {
        unsigned kind = (unsigned)((h >> (3 * i)) & 7);

        switch (kind) {
        case 0:
        case 1:
        case 2:
            disk_name(disks, dev, sizeof(dev));
            fprintf(f,
                    "    <disk type='file' device='disk'>\n"
                    "      <driver name='qemu' type='qcow2'/>\n"
                    "      <source file='/var/lib/libvirt/images/"
                    "%s-%s.qcow2'/>\n"
                    "      <target dev='%s' bus='virtio'/>\n"
                    "    </disk>\n",
                    name, dev, dev);
            disks++;
            break;
        case 3:
        case 4:
        case 5:
            fprintf(f,
                    "    <interface type='network'>\n"
                    "      <mac address='52:54:00:%02lx:%02lx:%02lx'/>\n"
                    "      <source network='default'/>\n"
                    "      <model type='%s'/>\n"
                    "    </interface>\n",
                    (h >> 8) & 0xff, h & 0xff, (unsigned long)nics,
                    kind == 5 ? "e1000" : "virtio");
            nics++;
            break;
        case 6:
            fputs("    <rng model='virtio'>\n"
                  "      <backend model='random'>/dev/urandom</backend>\n"
                  "    </rng>\n",
                  f);
            break;
        default:
            if (i % 2)
                fprintf(f,
                        "    <controller type='virtio-serial' "
                        "index='%ld'/>\n",
                        i);
            else
                fputs("    <graphics type='vnc' port='-1' autoport='yes'/>\n"
                      "    <video>\n"
                      "      <model type='qxl'/>\n"
                      "    </video>\n",
                      f);
            break;
        }
    }
    fputs("  </devices>\n"
          "</domain>\n",
          f);
    r->devices = n;
    r->controllers = 0;
    return 0;
}

struct bench_case {
    const char *name;
    const char *what;
    generator gen;
    bool batch; /* gen writes one of -b small domains */
};

static const struct bench_case cases[] = {
    {"pc-bridges", "pc, N devices, every pci-bridge listed", gen_pc_bridges,
     false},
    {"pc-plain", "pc, N devices, no controllers", gen_pc_plain, false},
    {"q35-switches",
     "q35, 250 PCIe devices, 232 root ports + 2 switches (all 255 buses)",
     gen_q35_switches, false},
    {"q35-batch", "q35, -b domains of 3-8 devices, one file each",
     gen_q35_small, true},
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* ------------------------------------------------------------ measuring */

struct measure {
    bool ok;
    int status;      /* exit status, or 128 + signal */
    double seconds;  /* wall time */
    long maxrss_kib; /* peak resident set size */
    char err[200];   /* first line of stderr when it failed */
};

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run argv once, stdout to /dev/null, stderr to errfile. */
static int run_once(char *const argv[], const char *errfile, struct measure *m)
{
    struct rusage ru;
    int wstatus;
    double t0;
    pid_t pid;

    t0 = now();
    pid = fork();
    if (pid < 0) {
        perror("pcbench: fork");
        return -1;
    }
    if (pid == 0) {
        int out = open("/dev/null", O_WRONLY);
        int err = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);

        if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
            _exit(126);
        execvp(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    while (wait4(pid, &wstatus, 0, &ru) < 0) {
        if (errno != EINTR) {
            perror("pcbench: wait4");
            return -1;
        }
    }
    m->seconds = now() - t0;
    m->maxrss_kib = ru.ru_maxrss;
    if (WIFEXITED(wstatus))
        m->status = WEXITSTATUS(wstatus);
    else
        m->status = 128 + WTERMSIG(wstatus);
    m->ok = m->status == 0;
    m->err[0] = '\0';
    if (!m->ok) {
        FILE *e = fopen(errfile, "r");

        if (e) {
            if (fgets(m->err, sizeof(m->err), e))
                m->err[strcspn(m->err, "\n")] = '\0';
            fclose(e);
        }
    }
    return 0;
}

/* Best of 'runs': the lowest time and the lowest peak RSS. */
static int run_best(char *const argv[], const char *errfile, int runs,
                    struct measure *best)
{
    struct measure m;

    for (int i = 0; i < runs; i++) {
        if (run_once(argv, errfile, &m) < 0)
            return -1;
        if (!m.ok) {
            *best = m;
            return 0;
        }
        if (i == 0) {
            *best = m;
            continue;
        }
        if (m.seconds < best->seconds)
            best->seconds = m.seconds;
        if (m.maxrss_kib < best->maxrss_kib)
            best->maxrss_kib = m.maxrss_kib;
    }
    return 0;
}

static bool have_program(const char *name)
{
    const char *path = getenv("PATH");
    char buf[4096];

    if (strchr(name, '/'))
        return access(name, X_OK) == 0;
    while (path && *path) {
        size_t n = strcspn(path, ":");

        snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, name);
        if (n && access(buf, X_OK) == 0)
            return true;
        path += n + (path[n] == ':');
    }
    return false;
}

static void fmt_size(double bytes, char *buf, size_t size)
{
    if (bytes >= 1024.0 * 1024.0)
        snprintf(buf, size, "%.1f MiB", bytes / (1024.0 * 1024.0));
    else
        snprintf(buf, size, "%.0f KiB", bytes / 1024.0);
}

static void fmt_measure(const struct measure *m, char *buf, size_t size)
{
    char rss[32];

    if (!m->ok) {
        snprintf(buf, size, "%-20s", "FAILED");
        return;
    }
    fmt_size((double)m->maxrss_kib * 1024.0, rss, sizeof(rss));
    snprintf(buf, size, "%7.3f s %10s", m->seconds, rss);
}

/* ------------------------------------------------------------ batches */

/*
 * Totals of running each of 'ncmds' programs on every file of a batch,
 * one process per file. The programs take turns file by file, so that
 * they share whatever else the machine is doing. cmds[k] is the
 * program and its leading arguments, NULL-terminated (at most 6).
 */
static int run_each(const char *const *const cmds[], int ncmds, char **files,
                    long nfiles, const char *errfile, struct measure totals[])
{
    struct measure m;

    for (int k = 0; k < ncmds; k++) {
        memset(&totals[k], 0, sizeof(totals[k]));
        totals[k].ok = true;
    }
    for (long i = 0; i < nfiles; i++) {
        for (int k = 0; k < ncmds; k++) {
            struct measure *t = &totals[k];
            char *argv[8];
            int n = 0;

            while (cmds[k][n] && n < 6) {
                argv[n] = (char *)cmds[k][n];
                n++;
            }
            argv[n++] = files[i];
            argv[n] = NULL;
            if (run_once(argv, errfile, &m) < 0)
                return -1;
            t->seconds += m.seconds;
            if (m.maxrss_kib > t->maxrss_kib)
                t->maxrss_kib = m.maxrss_kib;
            if (!m.ok && t->ok) {
                t->ok = false;
                t->status = m.status;
                snprintf(t->err, sizeof(t->err), "%.60s: %.130s", files[i],
                         m.err);
            }
        }
    }
    return 0;
}

/* One process over all files: argv is PROG PRE... FILE... */
static int run_all(const char *prog, const char *const pre[], int npre,
                   char **files, long nfiles, const char *errfile, int runs,
                   int ok_status, struct measure *best)
{
    char **argv = calloc((size_t)(nfiles + npre + 2), sizeof(*argv));
    int rc;

    if (!argv) {
        perror("pcbench");
        return -1;
    }
    argv[0] = (char *)prog;
    for (int i = 0; i < npre; i++)
        argv[1 + i] = (char *)pre[i];
    for (long i = 0; i < nfiles; i++)
        argv[1 + npre + i] = files[i];
    rc = run_best(argv, errfile, runs, best);
    /* pciplan --check exits 1 when a file would change */
    if (rc == 0 && (best->status == 0 || best->status == ok_status))
        best->ok = true;
    free(argv);
    return rc;
}

static void batch_row(const char *what, const struct measure *m, long n,
                      const struct measure *ref, long ref_n)
{
    char rss[32], ratio[16] = "-";

    if (!m->ok) {
        printf("  %-38s %s\n", what, "FAILED");
        if (m->err[0])
            printf("      exit status %d: %s\n", m->status, m->err);
        return;
    }
    fmt_size((double)m->maxrss_kib * 1024.0, rss, sizeof(rss));
    if (ref && ref->ok && ref->seconds > 0) {
        double r = m->seconds / (double)n / (ref->seconds / (double)ref_n);

        snprintf(ratio, sizeof(ratio), r < 0.1 ? "%.3fx" : "%.2fx", r);
    }
    printf("  %-38s %5ld %9.3f s %9.3f ms %10s %9s\n", what, n, m->seconds,
           1000.0 * m->seconds / (double)n, rss, ratio);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* libvirt on the first 'sample' files; then golden-compare pciplan's
   output with libvirt's for each. Returns how many matched, -1 when
   libvirt could not run at all. */
static long batch_libvirt(const char *lvgolden, const char *compare,
                          const char *pciplan, char **files, long sample,
                          const char *dir, const char *errfile,
                          struct measure *m)
{
    const char *pre[] = {"-q", "--outdir", NULL};
    char lvdir[4400], out[4600], lv[4600];
    long matched = 0;
    struct measure cm;

    snprintf(lvdir, sizeof(lvdir), "%s/libvirt", dir);
    pre[2] = lvdir;
    if (run_all(lvgolden, pre, 3, files, sample, errfile, 1, 0, m) < 0)
        return -1;
    if (!m->ok)
        return -1;
    for (long i = 0; i < sample; i++) {
        const char *base = strrchr(files[i], '/') + 1;
        int fd;

        snprintf(lv, sizeof(lv), "%s/%s", lvdir, base);
        snprintf(out, sizeof(out), "%s/planned-%s", dir, base);
        /* pciplan -o OUT FILE, then golden-compare LIBVIRT OUT */
        {
            char *a[] = {(char *)pciplan, "-o", out, files[i], NULL};

            if (run_once(a, errfile, &cm) < 0 || !cm.ok) {
                printf("      %s: pciplan fails\n", base);
                continue;
            }
        }
        fd = open(lv, O_RDONLY);
        if (fd >= 0) {
            char *a[] = {(char *)compare, lv, out, NULL};

            close(fd);
            if (run_once(a, errfile, &cm) == 0 && cm.ok)
                matched++;
            else
                printf("      %s: libvirt's PCI layout differs "
                       "from pciplan's\n",
                       base);
            unlink(lv);
        } else {
            char e[4600];

            snprintf(e, sizeof(e), "%s/%.*s.err", lvdir,
                     (int)(strlen(base) - 4), base);
            printf("      %s: libvirt rejects it\n", base);
            unlink(e);
        }
        unlink(out);
    }
    rmdir(lvdir);
    return matched;
}

/* A batch case: -b small domains in DIR/NAME/, timed four ways. */
static int run_batch(const struct bench_case *c, const struct gen_params *p,
                     const char *dir, const char *pciplan, bool xmllint,
                     const char *lvgolden, const char *compare, int runs,
                     bool keep, const char *errfile)
{
    const char *check_pre[] = {"--check", "-q"};
    const char *fmt_pre[] = {"--format"};
    struct measure each_p, all_p, each_x, all_x, lv;
    char sub[4300], size_s[32], **files;
    long devices = 0, matched = -1, sample = p->sample;
    double bytes = 0;
    bool failed = false, have_lv;

    snprintf(sub, sizeof(sub), "%s/%s", dir, c->name);
    if (mkdir(sub, 0755) < 0 && errno != EEXIST) {
        fprintf(stderr, "pcbench: %s: %s\n", sub, strerror(errno));
        return -1;
    }
    chmod(sub, 0755);
    files = calloc((size_t)p->batch, sizeof(*files));
    if (!files) {
        perror("pcbench");
        return -1;
    }
    for (long i = 0; i < p->batch; i++) {
        struct gen_result gr = {0, 0};
        char name[64], path[4400];
        struct stat st;
        FILE *f;

        snprintf(name, sizeof(name), "%s-%05ld", c->name, i);
        snprintf(path, sizeof(path), "%s/%s.xml", sub, name);
        files[i] = strdup(path);
        f = fopen(path, "w");
        if (!files[i] || !f) {
            fprintf(stderr, "pcbench: %s: %s\n", path, strerror(errno));
            return -1;
        }
        c->gen(f, name, p, &gr);
        if (fclose(f) != 0 || stat(path, &st) != 0) {
            fprintf(stderr, "pcbench: %s: %s\n", path, strerror(errno));
            return -1;
        }
        chmod(path, 0644);
        devices += gr.devices;
        bytes += (double)st.st_size;
    }
    qsort(files, (size_t)p->batch, sizeof(*files), cmp_str);
    fmt_size(bytes, size_s, sizeof(size_s));

    {
        const char *const plan_cmd[] = {pciplan, NULL};
        const char *const fmt_cmd[] = {"xmllint", "--format", NULL};
        const char *const *const cmds[] = {plan_cmd, fmt_cmd};
        struct measure totals[2];

        if (run_each(cmds, xmllint ? 2 : 1, files, p->batch, errfile, totals) <
            0)
            return -1;
        each_p = totals[0];
        memset(&each_x, 0, sizeof(each_x));
        if (xmllint)
            each_x = totals[1];
    }
    if (run_all(pciplan, check_pre, 2, files, p->batch, errfile, runs, 1,
                &all_p) < 0)
        return -1;
    memset(&all_x, 0, sizeof(all_x));
    if (xmllint && run_all("xmllint", fmt_pre, 1, files, p->batch, errfile,
                           runs, 0, &all_x) < 0)
        return -1;
    if (sample > p->batch)
        sample = p->batch;
    have_lv = sample > 0 && access(lvgolden, X_OK) == 0 &&
              access(compare, X_OK) == 0 && have_program("virsh");
    memset(&lv, 0, sizeof(lv));
    if (have_lv)
        matched = batch_libvirt(lvgolden, compare, pciplan, files, sample, sub,
                                errfile, &lv);

    printf("\n%s: %ld q35 domains, %s, %ld devices (%.1f per domain)\n",
           c->name, p->batch, size_s, devices,
           (double)devices / (double)p->batch);
    printf("  %-38s %5s %11s %12s %10s %9s\n", "", "files", "total",
           "per domain", "peak RSS", "vs");
    printf("  %-38s %5s %11s %12s %10s %9s\n", "", "", "", "", "", "pciplan");
    batch_row("pciplan, a process per file", &each_p, p->batch, &each_p,
              p->batch);
    batch_row("pciplan --check FILE..., one process", &all_p, p->batch, &each_p,
              p->batch);
    if (xmllint) {
        batch_row("xmllint --format, a process per file", &each_x, p->batch,
                  &each_p, p->batch);
        batch_row("xmllint --format FILE..., one process", &all_x, p->batch,
                  &each_p, p->batch);
    } else {
        printf("  %-38s (no xmllint)\n", "xmllint --format");
    }
    if (have_lv) {
        batch_row("libvirt define+dumpxml, sample", &lv, sample, &each_p,
                  p->batch);
        if (matched >= 0)
            printf("  libvirt accepted the sample; its PCI layout is "
                   "pciplan's for %ld of %ld\n",
                   matched, sample);
        if (matched != sample)
            failed = true;
    } else if (sample > 0) {
        printf("  %-38s (no %s, %s or virsh)\n", "libvirt", lvgolden, compare);
    }
    printf("  (vs pciplan: time per domain against pciplan's process per "
           "file; libvirt:\n"
           "  tests/libvirt-golden --outdir, one virsh define, dumpxml and "
           "undefine\n"
           "  per domain on qemu:///embed, its set-up spread over the "
           "sample)\n");
    if (!each_p.ok || !all_p.ok)
        failed = true;

    for (long i = 0; i < p->batch; i++) {
        if (!keep)
            unlink(files[i]);
        free(files[i]);
    }
    free(files);
    if (!keep)
        rmdir(sub);
    return failed ? 1 : 0;
}

/* ------------------------------------------------------------ main */

static void usage(FILE *f)
{
    fputs("usage: pcbench [-n DEVICES] [-b FILES] [-s SAMPLE] [-r RUNS] "
          "[-p PCIPLAN]\n"
          "               [-L LIBVIRT_GOLDEN] [-G GOLDEN_COMPARE] [-k DIR] "
          "[-l] [CASE...]\n",
          f);
}

static bool selected(const char *name, int argc, char **argv, int first)
{
    if (first >= argc)
        return true;
    for (int i = first; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return true;
    return false;
}

/* One large domain: pciplan and xmllint --format on it, one table row. */
static int run_single(const struct bench_case *c, const struct gen_params *p,
                      const char *dir, const char *pciplan, bool xmllint,
                      int runs, bool keep, const char *errfile)
{
    struct gen_result gr = {0, 0};
    struct measure mp, mx;
    char path[4300], size_s[32], ps[64], xs[64], tr[16] = "-", rr[16] = "-";
    struct stat st;
    FILE *f;
    int rc = 0;

    snprintf(path, sizeof(path), "%s/%s.xml", dir, c->name);
    f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "pcbench: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (c->gen(f, c->name, p, &gr) < 0) {
        fclose(f);
        return 1;
    }
    if (fclose(f) != 0 || stat(path, &st) != 0) {
        fprintf(stderr, "pcbench: %s: %s\n", path, strerror(errno));
        return -1;
    }
    fmt_size((double)st.st_size, size_s, sizeof(size_s));

    {
        char *argv_p[] = {(char *)pciplan, path, NULL};

        if (run_best(argv_p, errfile, runs, &mp) < 0)
            return -1;
    }
    memset(&mx, 0, sizeof(mx));
    if (xmllint) {
        char *argv_x[] = {"xmllint", "--format", "--huge", path, NULL};

        if (run_best(argv_x, errfile, runs, &mx) < 0)
            return -1;
    }
    fmt_measure(&mp, ps, sizeof(ps));
    if (xmllint)
        fmt_measure(&mx, xs, sizeof(xs));
    else
        snprintf(xs, sizeof(xs), "%-20s", "(no xmllint)");
    if (mp.ok && mx.ok && mx.seconds > 0 && mx.maxrss_kib > 0) {
        snprintf(tr, sizeof(tr), "%.1fx", mp.seconds / mx.seconds);
        snprintf(rr, sizeof(rr), "%.1fx",
                 (double)mp.maxrss_kib / (double)mx.maxrss_kib);
    }
    printf("%-12s %9s %7ld %5ld  %s  %s  %6s %6s\n", c->name, size_s,
           gr.devices, gr.controllers, ps, xs, tr, rr);
    if (!mp.ok) {
        printf("    pciplan exit status %d: %s\n", mp.status, mp.err);
        rc = 1;
    }
    if (xmllint && !mx.ok)
        printf("    xmllint exit status %d: %s\n", mx.status, mx.err);
    if (!keep)
        unlink(path);
    return rc;
}

static bool parse_long(int opt, const char *arg, long min, long *v)
{
    char *end;

    *v = strtol(arg, &end, 10);
    if (*end || *v < min || *v > 1000000) {
        fprintf(stderr, "pcbench: -%c: invalid number '%s'\n", opt, arg);
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    struct gen_params params = {7000, 10000, 50};
    const char *pciplan = "src/pciplan";
    const char *lvgolden = "tests/libvirt-golden";
    const char *compare = "tests/golden-compare";
    const char *keep = NULL;
    char dir[4096], errfile[4200];
    bool xmllint, failed = false, header = false;
    struct measure floor_m;
    int runs = 3, opt;
    long v;

    while ((opt = getopt(argc, argv, "n:b:s:r:p:L:G:k:lh")) != -1) {
        switch (opt) {
        case 'n':
        case 'b':
        case 'r':
            if (!parse_long(opt, optarg, 1, &v))
                return 2;
            if (opt == 'n')
                params.devices = v;
            else if (opt == 'b')
                params.batch = v;
            else
                runs = (int)v;
            break;
        case 's':
            if (!parse_long(opt, optarg, 0, &v))
                return 2;
            params.sample = v;
            break;
        case 'p':
            pciplan = optarg;
            break;
        case 'L':
            lvgolden = optarg;
            break;
        case 'G':
            compare = optarg;
            break;
        case 'k':
            keep = optarg;
            break;
        case 'l':
            for (size_t i = 0; i < NCASES; i++)
                printf("%-12s %s\n", cases[i].name, cases[i].what);
            return 0;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    for (int i = optind; i < argc; i++) {
        size_t j;

        for (j = 0; j < NCASES && strcmp(cases[j].name, argv[i]); j++)
            ;
        if (j == NCASES) {
            fprintf(stderr, "pcbench: unknown case '%s' (see -l)\n", argv[i]);
            return 2;
        }
    }
    if (access(pciplan, X_OK) != 0) {
        fprintf(stderr, "pcbench: %s: %s (build it first: make)\n", pciplan,
                strerror(errno));
        return 2;
    }
    xmllint = have_program("xmllint");
    setvbuf(stdout, NULL, _IOLBF, 0); /* keep order with stderr */

    if (keep) {
        if (mkdir(keep, 0755) < 0 && errno != EEXIST) {
            fprintf(stderr, "pcbench: %s: %s\n", keep, strerror(errno));
            return 2;
        }
        snprintf(dir, sizeof(dir), "%s", keep);
    } else {
        const char *t = getenv("TMPDIR");

        snprintf(dir, sizeof(dir), "%s/pcbench.XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(dir)) {
            perror("pcbench: mkdtemp");
            return 2;
        }
    }
    /* libvirt-golden reads the batch as an unprivileged user */
    chmod(dir, 0755);
    snprintf(errfile, sizeof(errfile), "%s/stderr", dir);

    /* what fork + exec of a trivial program costs */
    {
        char *argv_true[] = {"true", NULL};

        if (run_best(argv_true, errfile, runs, &floor_m) < 0)
            return 2;
    }

    printf("pcbench: pciplan vs xmllint --format, best of %d run%s, "
           "%ld devices\n",
           runs, runs == 1 ? "" : "s", params.devices);
    printf("(fork+exec of true: %.4f s, %ld KiB peak RSS)\n", floor_m.seconds,
           floor_m.maxrss_kib);

    for (size_t i = 0; i < NCASES; i++) {
        const struct bench_case *c = &cases[i];
        int rc;

        if (!selected(c->name, argc, argv, optind))
            continue;
        if (c->batch) {
            rc = run_batch(c, &params, dir, pciplan, xmllint, lvgolden, compare,
                           runs, keep != NULL, errfile);
        } else {
            if (!header) {
                printf("\n%-12s %9s %7s %5s  %-20s  %-20s  %6s %6s\n", "case",
                       "input", "devices", "ctrls", "pciplan",
                       "xmllint --format", "time", "RSS");
                printf("%-12s %9s %7s %5s  %7s   %10s  %7s   %10s  %6s "
                       "%6s\n",
                       "", "", "", "", "time", "peak RSS", "time", "peak RSS",
                       "ratio", "ratio");
                header = true;
            }
            rc = run_single(c, &params, dir, pciplan, xmllint, runs,
                            keep != NULL, errfile);
        }
        if (rc < 0)
            return 2;
        if (rc > 0)
            failed = true;
    }

    unlink(errfile);
    if (!keep)
        rmdir(dir);
    else
        printf("\ninputs kept in %s\n", dir);
    return failed ? 1 : 0;
}
