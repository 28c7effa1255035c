/*
 * pcscale.c: how pciplan's cost grows with the size of a domain.
 *
 * For each family of generated domains (no addresses in the input) and
 * each size (1k, 2k, 4k, 8k, 16k devices where the address space allows)
 * it runs src/pciplan and `xmllint --format --huge` on the same file,
 * output to /dev/null, and prints the CPU time (user + sys of the child,
 * from wait4's rusage, best of -r runs) and peak RSS (ru_maxrss) of
 * each, their ratios, and pciplan's growth factor per doubling of the
 * size. xmllint --format is the floor: parsing the same document and
 * writing it back out.
 *
 * When a size does not fit the family's address space (pciplan exits 4)
 * the row says so with pciplan's message, and the largest size that fits
 * is found by bisection and measured instead. Every run is capped at -t
 * seconds of CPU (RLIMIT_CPU): a run that hits the cap prints "> N s" and
 * the larger sizes of that family are skipped.
 *
 * Then -b small q35 domains (3-8 devices each) planned two ways: one
 * `pciplan --check -q FILE...` process for all of them, and one pciplan
 * process per domain; xmllint --format the same two ways for reference.
 *
 * The targets of issue 10 are printed next to the figures; they are not
 * assertions (a missed target is marked, the exit status ignores it).
 *
 * Every pciplan run gets --libvirt (-L, default 9.0), as a CI job pins
 * it: without it pciplan asks the installed virsh for its version, which
 * measures virsh, not pciplan (-L '' measures that default path). The
 * load average is printed with each family: the figures are only worth
 * comparing when the machine was otherwise idle.
 *
 * Usage: bench/pcscale [-r RUNS] [-t SECONDS] [-b DOMAINS] [-p PCIPLAN]
 *                      [-L LIBVIRT] [-m MAXDEVICES] [-k DIR] [-l]
 *                      [FAMILY...]
 *   -r  runs per measurement, the best is kept (default 3; 1 for a size
 *       whose first run took more than 2 s of CPU)
 *   -t  CPU limit per run in seconds (default 60)
 *   -b  small domains in the batch (default 10000; 0: no batch)
 *   -L  the --libvirt every pciplan run gets (default 9.0; '': none)
 *   -m  largest size tried (default 16384)
 *   -k  keep the generated inputs in DIR
 *   FAMILY  pc q35 scsi sata vserial usb ccw scsihost ccwuser phb ctrlrev
 *           batch (default all; -l lists)
 *
 * Exit status: 0 when pciplan planned every input that fits, 1 when it
 * failed on one (other than "does not fit" or the CPU cap), 2 on setup
 * errors.
 */
#define _DEFAULT_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* targets of issue 10 */
#define TARGET_CPU_RATIO 1.5
#define TARGET_GROWTH 2.2
#define TARGET_RSS_RATIO 2.0
#define TARGET_BATCH_RATE 10000.0

/* ------------------------------------------------------------ generation */

/* libvirt's disk names: PREFIX + a..z, aa..zz, aaa... (index from 0). */
static void disk_name(const char *prefix, long idx, char *buf, size_t size)
{
    char tmp[16];
    int n = 0;

    idx++;
    while (idx > 0 && n < (int)sizeof(tmp)) {
        idx--;
        tmp[n++] = (char)('a' + idx % 26);
        idx /= 26;
    }
    snprintf(buf, size, "%s", prefix);
    for (int i = 0; i < n && strlen(buf) + 1 < size; i++) {
        size_t l = strlen(buf);

        buf[l] = tmp[n - 1 - i];
        buf[l + 1] = '\0';
    }
}

static void head(FILE *f, const char *name, const char *arch,
                 const char *machine)
{
    fprintf(f,
            "<domain type='qemu'>\n"
            "  <name>%s</name>\n"
            "  <memory unit='GiB'>64</memory>\n"
            "  <vcpu placement='static'>16</vcpu>\n"
            "  <os>\n"
            "    <type arch='%s' machine='%s'>hvm</type>\n"
            "  </os>\n"
            "  <devices>\n",
            name, arch, machine);
}

static void tail(FILE *f)
{
    fputs("  </devices>\n"
          "</domain>\n",
          f);
}

static void virtio_disk(FILE *f, long i, const char *bus, const char *prefix)
{
    char dev[16];

    disk_name(prefix, i, dev, sizeof(dev));
    fprintf(f,
            "    <disk type='file' device='disk'>\n"
            "      <driver name='qemu' type='qcow2'/>\n"
            "      <source file='/var/lib/libvirt/images/d%ld.qcow2'/>\n"
            "      <target dev='%s' bus='%s'/>\n"
            "    </disk>\n",
            i, dev, bus);
}

static void virtio_nic(FILE *f, long i)
{
    fprintf(f,
            "    <interface type='bridge'>\n"
            "      <mac address='52:54:00:%02lx:%02lx:%02lx'/>\n"
            "      <source bridge='br%ld'/>\n"
            "      <model type='virtio'/>\n"
            "    </interface>\n",
            (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff, i % 4);
}

/* half virtio disks, half virtio NICs */
static void virtio_mix(FILE *f, long n)
{
    for (long i = 0; i < n / 2; i++)
        virtio_disk(f, i, "virtio", "vd");
    for (long i = 0; i < n - n / 2; i++)
        virtio_nic(f, i);
}

/* pc: virtio PCI devices, no controllers: pciplan nests pci-bridges */
static void gen_pc(FILE *f, long n)
{
    head(f, "scale-pc", "x86_64", "pc");
    virtio_mix(f, n);
    tail(f);
}

/* q35: virtio (PCIe) devices, no controllers: one root port each */
static void gen_q35(FILE *f, long n)
{
    head(f, "scale-q35", "x86_64", "q35");
    virtio_mix(f, n);
    tail(f);
}

/* pc: SCSI disks sda..., no controllers (pciplan adds lsilogic ones) */
static void gen_scsi(FILE *f, long n)
{
    head(f, "scale-scsi", "x86_64", "pc");
    for (long i = 0; i < n; i++)
        virtio_disk(f, i, "scsi", "sd");
    tail(f);
}

/* q35: SATA disks sda..., no controllers (pciplan adds AHCI ones) */
static void gen_sata(FILE *f, long n)
{
    head(f, "scale-sata", "x86_64", "q35");
    for (long i = 0; i < n; i++)
        virtio_disk(f, i, "sata", "sd");
    tail(f);
}

/* pc: virtio-serial channels, no controllers (pciplan adds them) */
static void gen_vserial(FILE *f, long n)
{
    head(f, "scale-vserial", "x86_64", "pc");
    for (long i = 0; i < n; i++)
        fprintf(f,
                "    <channel type='unix'>\n"
                "      <target type='virtio' name='org.example.ch%ld'/>\n"
                "    </channel>\n",
                i);
    tail(f);
}

/*
 * pc: USB tablets on 4 qemu-xhci controllers of 15 ports, with as many
 * USB hubs (8 ports) as the tablets need, listed with their addresses:
 * breadth first over the 4 buses, hubs at depths 1-3 so that the tablets
 * get the ports down to depth 4 (4 * 15 * 8^3 = 30,720 at most). The
 * tablets have no address: pciplan searches for a free port in the hub
 * trees. (With the hubs left to pciplan, as libvirt adds them, the
 * chains go depth first and hubs land on the last level where their
 * ports are unusable: 276 tablets is the most 4 controllers take.)
 */
#define USB_CONTROLLERS 4
#define USB_ROOT_PORTS 15
#define USB_HUB_PORTS 8
struct usb_slot {
    int bus, depth;
    char path[24];
};

static void gen_usb(FILE *f, long n)
{
    long cap = (long)USB_CONTROLLERS * USB_ROOT_PORTS, nslots = 0, hubs = 0;
    long max = cap + n * USB_HUB_PORTS / (USB_HUB_PORTS - 1) + 64;
    struct usb_slot *q = calloc((size_t)max, sizeof(*q));

    head(f, "scale-usb", "x86_64", "pc");
    for (long i = 0; i < USB_CONTROLLERS; i++)
        fprintf(f,
                "    <controller type='usb' index='%ld' model='qemu-xhci' "
                "ports='%d'/>\n",
                i, USB_ROOT_PORTS);
    for (int p = 1; q && p <= USB_ROOT_PORTS; p++)
        for (int b = 0; b < USB_CONTROLLERS; b++) {
            q[nslots].bus = b;
            q[nslots].depth = 1;
            snprintf(q[nslots].path, sizeof(q[nslots].path), "%d", p);
            nslots++;
        }
    /* free ports = cap + 7 * hubs must reach n */
    for (long at = 0; q && cap + (USB_HUB_PORTS - 1) * hubs < n && at < nslots;
         at++) {
        struct usb_slot *s = &q[at];

        if (s->depth > 3)
            break;
        fprintf(f,
                "    <hub type='usb'>\n"
                "      <address type='usb' bus='%d' port='%s'/>\n"
                "    </hub>\n",
                s->bus, s->path);
        hubs++;
        for (int p = 1; p <= USB_HUB_PORTS && nslots < max; p++) {
            q[nslots].bus = s->bus;
            q[nslots].depth = s->depth + 1;
            snprintf(q[nslots].path, sizeof(q[nslots].path), "%s.%d", s->path,
                     p);
            nslots++;
        }
    }
    free(q);
    for (long i = 0; i < n; i++)
        fputs("    <input type='tablet' bus='usb'/>\n", f);
    tail(f);
}

/* s390x: virtio disks and NICs on the channel subsystem (CCW devnos) */
static void gen_ccw(FILE *f, long n)
{
    head(f, "scale-ccw", "s390x", "s390-ccw-virtio");
    virtio_mix(f, n);
    tail(f);
}

/* pc: SCSI host devices without addresses, after sda..: each takes the
 * first free unit of the lowest SCSI controller with one */
static void gen_scsihost(FILE *f, long n)
{
    head(f, "scale-scsihost", "x86_64", "pc");
    for (long i = 0; i < 8; i++)
        virtio_disk(f, i, "scsi", "sd");
    for (long i = 0; i < n; i++)
        fprintf(f,
                "    <hostdev mode='subsystem' type='scsi'>\n"
                "      <source>\n"
                "        <adapter name='scsi_host%ld'/>\n"
                "        <address bus='0' target='0' unit='%ld'/>\n"
                "      </source>\n"
                "    </hostdev>\n",
                i / 8, i % 8);
    tail(f);
}

/* s390x: virtio disks + NICs, every other one with a user CCW address
 * (the odd device numbers), the rest numbered around them */
static void gen_ccwuser(FILE *f, long n)
{
    head(f, "scale-ccwuser", "s390x", "s390-ccw-virtio");
    for (long i = 0; i < n; i++) {
        char dev[16];

        disk_name("vd", i, dev, sizeof(dev));
        fprintf(f,
                "    <disk type='file' device='disk'>\n"
                "      <source file='/var/lib/libvirt/images/d%ld.qcow2'/>\n"
                "      <target dev='%s' bus='virtio'/>\n",
                i, dev);
        if (i % 2)
            fprintf(f,
                    "      <address type='ccw' cssid='0xfe' ssid='0x0' "
                    "devno='0x%04lx'/>\n",
                    (unsigned long)i);
        fputs("    </disk>\n", f);
    }
    tail(f);
}

/* ppc64 pseries: 255 PHBs (pci-root, no target index) and spapr-vscsi
 * controllers (spapr-vio, no PCI slot) to make up n controllers */
static void gen_phb(FILE *f, long n)
{
    head(f, "scale-phb", "ppc64", "pseries");
    for (long i = 1; i < 256; i++)
        fprintf(f,
                "    <controller type='pci' index='%ld' model='pci-root'/>\n",
                i);
    for (long i = 0; i < n - 255; i++)
        fprintf(f,
                "    <controller type='scsi' index='%ld' model='ibmvscsi'/>\n",
                i);
    tail(f);
}

/* ppc64 pseries: n spapr-vscsi controllers listed with their indexes in
 * reverse order, n-1 down to 0 */
static void gen_ctrlrev(FILE *f, long n)
{
    head(f, "scale-ctrlrev", "ppc64", "pseries");
    for (long i = n - 1; i >= 0; i--)
        fprintf(f,
                "    <controller type='scsi' index='%ld' model='ibmvscsi'/>\n",
                i);
    tail(f);
}

/* One small q35 guest of the batch, 3 to 8 devices chosen from 'seed'. */
static void gen_small(FILE *f, long seed)
{
    unsigned long h = (unsigned long)seed * 2654435761UL & 0xffffffffUL;
    long n = 3 + (long)(h % 6), disks = 0, nics = 0;
    char name[32], dev[16];

    snprintf(name, sizeof(name), "small-%05ld", seed);
    head(f, name, "x86_64", "q35");
    for (long i = 0; i < n; i++) {
        unsigned kind = (unsigned)((h >> (3 * i)) & 7);

        switch (kind) {
        case 0:
        case 1:
        case 2:
            disk_name("vd", disks, dev, sizeof(dev));
            fprintf(f,
                    "    <disk type='file' device='disk'>\n"
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
                fputs("    <channel type='unix'>\n"
                      "      <target type='virtio' "
                      "name='org.qemu.guest_agent.0'/>\n"
                      "    </channel>\n",
                      f);
            else
                fputs("    <graphics type='vnc' port='-1' autoport='yes'/>\n"
                      "    <video>\n"
                      "      <model type='qxl'/>\n"
                      "    </video>\n",
                      f);
            break;
        }
    }
    tail(f);
}

struct family {
    const char *name;
    const char *what;
    void (*gen)(FILE *f, long n);
};

static const struct family families[] = {
    {"pc", "pc, virtio disks + NICs, pciplan nests pci-bridges", gen_pc},
    {"q35", "q35, virtio (PCIe) disks + NICs, a root port each", gen_q35},
    {"scsi", "pc, SCSI disks, pciplan adds the SCSI controllers", gen_scsi},
    {"sata", "q35, SATA disks, pciplan adds the AHCI controllers", gen_sata},
    {"vserial", "pc, virtio-serial channels, controllers added", gen_vserial},
    {"usb", "pc, USB tablets on 4 qemu-xhci, on hub trees (hubs listed)",
     gen_usb},
    {"ccw", "s390x, virtio disks + NICs, CCW device numbers", gen_ccw},
    {"scsihost", "pc, SCSI hostdevs without addresses after 8 SCSI disks",
     gen_scsihost},
    {"ccwuser", "s390x, virtio disks, every other one with a CCW address",
     gen_ccwuser},
    {"phb", "pseries, 255 PHBs and spapr-vscsi controllers, n in all", gen_phb},
    {"ctrlrev", "pseries, spapr-vscsi controllers, indexes in reverse order",
     gen_ctrlrev},
};

#define NFAMILIES (sizeof(families) / sizeof(families[0]))

/* ------------------------------------------------------------ measuring */

struct measure {
    int status;      /* exit status, 128 + signal */
    bool capped;     /* killed by the CPU limit */
    double cpu;      /* user + sys seconds */
    double wall;     /* seconds */
    long maxrss_kib; /* peak RSS */
    char err[240];   /* first line of stderr when it failed */
};

static int cpu_limit = 60;

/* --libvirt for every pciplan run; NULL or "": none */
static const char *libvirt_version = "9.0";

/* argv for pciplan: PCIPLAN [--libvirt VERSION] then 'args' (NULL-ended),
 * into 'argv' with room for 3 + the args. */
static char **pciplan_argv(char **argv, const char *pciplan, char *const args[])
{
    size_t n = 0;

    argv[n++] = (char *)pciplan;
    if (libvirt_version && *libvirt_version) {
        argv[n++] = "--libvirt";
        argv[n++] = (char *)libvirt_version;
    }
    for (size_t i = 0; args[i]; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return argv;
}

/* The 1-minute load average, or -1. */
static double load_average(void)
{
    char buf[64] = "", *end;
    double l;
    FILE *f = fopen("/proc/loadavg", "r");

    if (!f)
        return -1;
    if (!fgets(buf, sizeof(buf), f))
        buf[0] = '\0';
    fclose(f);
    l = strtod(buf, &end);
    return end == buf ? -1 : l;
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv(const struct timeval *t)
{
    return (double)t->tv_sec + (double)t->tv_usec / 1e6;
}

/* Run argv once, stdout to /dev/null, stderr to errfile. */
static int run_once(char *const argv[], const char *errfile, struct measure *m)
{
    struct rusage ru;
    int wstatus;
    double t0 = now();
    pid_t pid = fork();

    if (pid < 0) {
        perror("pcscale: fork");
        return -1;
    }
    if (pid == 0) {
        int out = open("/dev/null", O_WRONLY);
        int err = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        struct rlimit rl = {(rlim_t)cpu_limit, (rlim_t)cpu_limit + 1};

        if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
            _exit(126);
        setrlimit(RLIMIT_CPU, &rl);
        execvp(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    while (wait4(pid, &wstatus, 0, &ru) < 0) {
        if (errno != EINTR) {
            perror("pcscale: wait4");
            return -1;
        }
    }
    m->wall = now() - t0;
    m->cpu = tv(&ru.ru_utime) + tv(&ru.ru_stime);
    m->maxrss_kib = ru.ru_maxrss;
    m->status =
        WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    m->capped = WIFSIGNALED(wstatus) &&
                (WTERMSIG(wstatus) == SIGXCPU || WTERMSIG(wstatus) == SIGKILL);
    m->err[0] = '\0';
    if (m->status != 0) {
        FILE *e = fopen(errfile, "r");

        if (e) {
            /* the first line that is not a warning */
            char line[sizeof(m->err)];

            while (fgets(line, sizeof(line), e)) {
                line[strcspn(line, "\n")] = '\0';
                if (!m->err[0] || strstr(m->err, "warning:"))
                    snprintf(m->err, sizeof(m->err), "%s", line);
            }
            fclose(e);
        }
    }
    return 0;
}

/*
 * Best of 'runs': the lowest CPU time and the lowest peak RSS; a single
 * run when the first one took more than 2 s or failed. 'ok' is the exit
 * status that counts as success.
 */
static int run_best(char *const argv[], const char *errfile, int runs, int ok,
                    struct measure *best)
{
    struct measure m;

    for (int i = 0; i < runs; i++) {
        if (run_once(argv, errfile, &m) < 0)
            return -1;
        if (i == 0) {
            *best = m;
            if (m.status != ok || m.cpu > 2.0)
                break;
            continue;
        }
        if (m.cpu < best->cpu)
            best->cpu = m.cpu;
        if (m.wall < best->wall)
            best->wall = m.wall;
        if (m.maxrss_kib < best->maxrss_kib)
            best->maxrss_kib = m.maxrss_kib;
    }
    if (best->status == ok)
        best->status = 0;
    return 0;
}

static void fmt_size(double bytes, char *buf, size_t size)
{
    if (bytes >= 1024.0 * 1024.0)
        snprintf(buf, size, "%.1f MiB", bytes / (1024.0 * 1024.0));
    else
        snprintf(buf, size, "%.0f KiB", bytes / 1024.0);
}

static void fmt_cpu(double s, char *buf, size_t size)
{
    snprintf(buf, size, s < 10 ? "%.3f s" : "%.1f s", s);
}

/* ------------------------------------------------------------ families */

struct ctx {
    const char *dir, *pciplan, *errfile;
    int runs;
    bool keep, failed;
};

static int write_input(const struct ctx *c, const struct family *fam, long n,
                       char *path, size_t psize, double *bytes)
{
    struct stat st;
    FILE *f;

    snprintf(path, psize, "%s/%s-%ld.xml", c->dir, fam->name, n);
    f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "pcscale: %s: %s\n", path, strerror(errno));
        return -1;
    }
    fam->gen(f, n);
    if (fclose(f) != 0 || stat(path, &st) != 0) {
        fprintf(stderr, "pcscale: %s: %s\n", path, strerror(errno));
        return -1;
    }
    *bytes = (double)st.st_size;
    return 0;
}

/* pciplan once on a generated size: 0 fits, 4 does not fit, ... */
static int try_size(struct ctx *c, const struct family *fam, long n,
                    struct measure *m)
{
    char path[4400];
    double bytes;
    char *args[] = {path, NULL}, *argv[6];

    if (write_input(c, fam, n, path, sizeof(path), &bytes) < 0)
        return -1;
    if (run_once(pciplan_argv(argv, c->pciplan, args), c->errfile, m) < 0)
        return -1;
    unlink(path);
    return m->status;
}

/* Bisect for the largest size in [lo, hi) that fits (lo fits or is 0). */
static long largest_fit(struct ctx *c, const struct family *fam, long lo,
                        long hi)
{
    struct measure m;

    while (hi - lo > 1) {
        long mid = lo + (hi - lo) / 2;
        int rc = try_size(c, fam, mid, &m);

        if (rc < 0)
            return -1;
        if (rc == 0)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

struct row {
    long n;
    double bytes;
    struct measure p, x;
    bool measured; /* p.status == 0 */
};

static void print_row(const struct row *r, const struct row *prev,
                      const char *note)
{
    char size_s[32], pc[32], xc[32], prss[32], xrss[32];
    char cr[16] = "-", rr[16] = "-", gr[16] = "-", miss[64] = "";

    fmt_size(r->bytes, size_s, sizeof(size_s));
    if (r->p.capped) {
        printf("  %6ld %9s  %10s%-1s %9s  ", r->n, size_s, "", "", "");
        printf("> %d s (CPU cap)\n", cpu_limit);
        return;
    }
    fmt_cpu(r->p.cpu, pc, sizeof(pc));
    fmt_cpu(r->x.cpu, xc, sizeof(xc));
    fmt_size((double)r->p.maxrss_kib * 1024.0, prss, sizeof(prss));
    fmt_size((double)r->x.maxrss_kib * 1024.0, xrss, sizeof(xrss));
    if (r->x.status == 0 && r->x.cpu > 0) {
        double v = r->p.cpu / r->x.cpu;

        snprintf(cr, sizeof(cr), "%.1fx", v);
        if (v > TARGET_CPU_RATIO)
            strcat(miss, " cpu");
    }
    if (r->x.status == 0 && r->x.maxrss_kib > 0) {
        double v = (double)r->p.maxrss_kib / (double)r->x.maxrss_kib;

        snprintf(rr, sizeof(rr), "%.1fx", v);
        if (v > TARGET_RSS_RATIO)
            strcat(miss, " rss");
    }
    if (prev && prev->measured && prev->p.cpu > 0 && prev->n * 2 == r->n) {
        double v = r->p.cpu / prev->p.cpu;

        snprintf(gr, sizeof(gr), "%.2fx", v);
        if (v > TARGET_GROWTH)
            strcat(miss, " growth");
    } else if (prev && prev->measured && prev->p.cpu > 0 && r->n > prev->n) {
        /* not a doubling: the growth per doubling it implies */
        double k = (double)r->n / (double)prev->n;
        double v = r->p.cpu / prev->p.cpu;

        snprintf(gr, sizeof(gr), "(%.2fx)",
                 v > 0 && k > 1 ? pow(v, 1.0 / log2(k)) : 0.0);
    }
    printf("  %6ld %9s  %9s %9s  %9s %9s  %6s %6s %7s  %s%s%s\n", r->n, size_s,
           pc, prss, xc, xrss, cr, rr, gr, miss[0] ? "MISSED:" : "", miss,
           note ? note : "");
}

static void measure_row(struct ctx *c, const struct family *fam, struct row *r)
{
    char path[4400];
    char *args[] = {path, NULL}, *argv_p[6];
    char *argv_x[] = {"xmllint", "--format", "--huge", path, NULL};

    memset(&r->p, 0, sizeof(r->p));
    memset(&r->x, 0, sizeof(r->x));
    r->measured = false;
    if (write_input(c, fam, r->n, path, sizeof(path), &r->bytes) < 0)
        exit(2);
    pciplan_argv(argv_p, c->pciplan, args);
    if (run_best(argv_p, c->errfile, c->runs, 0, &r->p) < 0)
        exit(2);
    if (r->p.status == 0) {
        if (run_best(argv_x, c->errfile, c->runs, 0, &r->x) < 0)
            exit(2);
        r->measured = true;
    }
    if (!c->keep)
        unlink(path);
}

static void run_family(struct ctx *c, const struct family *fam, long maxn)
{
    struct row rows[8], fit;
    int nrows = 0;
    long last_fit = 0;

    printf("\n%s: %s (load average %.2f)\n", fam->name, fam->what,
           load_average());
    for (long n = 1024; n <= maxn; n *= 2) {
        struct row *r = &rows[nrows];

        r->n = n;
        measure_row(c, fam, r);
        if (r->p.capped) {
            print_row(r, NULL, NULL);
            printf("  (larger sizes skipped)\n");
            return;
        }
        if (r->p.status == 4) {
            printf("  %6ld  does not fit: %s\n", n, r->p.err);
            break;
        }
        if (r->p.status != 0) {
            printf("  %6ld  pciplan FAILED, exit status %d: %s\n", n,
                   r->p.status, r->p.err);
            c->failed = true;
            return;
        }
        print_row(r, nrows ? &rows[nrows - 1] : NULL, NULL);
        last_fit = n;
        nrows++;
    }
    if (last_fit == maxn || (nrows == 0 && last_fit == 0 && maxn < 1024))
        return;
    /* the rest does not fit: the largest that does */
    {
        long hi = last_fit ? last_fit * 2 : 1024;
        long best = largest_fit(c, fam, last_fit, hi);

        if (best < 0)
            exit(2);
        if (best == 0) {
            printf("  nothing fits\n");
            return;
        }
        if (best == last_fit)
            return;
        if (nrows == 0) {
            /* below 1k only: a halving series ending at the largest */
            long sizes[4] = {best / 8, best / 4, best / 2, best};

            for (int i = 0; i < 4; i++) {
                rows[i].n = sizes[i];
                measure_row(c, fam, &rows[i]);
                if (rows[i].p.capped || rows[i].p.status != 0) {
                    printf("  %6ld  pciplan FAILED, exit status %d: %s\n",
                           sizes[i], rows[i].p.status, rows[i].p.err);
                    c->failed = true;
                    return;
                }
                print_row(&rows[i], i ? &rows[i - 1] : NULL,
                          i == 3 ? "  <- largest that fits" : NULL);
            }
            return;
        }
        fit.n = best;
        measure_row(c, fam, &fit);
        if (fit.p.status != 0) {
            printf("  %6ld  pciplan FAILED, exit status %d: %s\n", best,
                   fit.p.status, fit.p.err);
            c->failed = true;
            return;
        }
        print_row(&fit, &rows[nrows - 1], "  <- largest that fits");
    }
}

/* ------------------------------------------------------------ batch */

static int run_batch(struct ctx *c, long nfiles)
{
    char sub[4300], **argv_all, **argv_xall,
        *check_args[] = {"--check", "-q", NULL};
    struct measure all_p, all_x, m;
    double bytes = 0, each_cpu = 0, each_wall = 0, xeach_cpu = 0,
           xeach_wall = 0;
    long each_rss = 0, xeach_rss = 0;
    char s1[32];
    int bad = 0;
    size_t first;

    snprintf(sub, sizeof(sub), "%s/batch", c->dir);
    if (mkdir(sub, 0755) < 0 && errno != EEXIST) {
        fprintf(stderr, "pcscale: %s: %s\n", sub, strerror(errno));
        return -1;
    }
    argv_all = calloc((size_t)nfiles + 6, sizeof(*argv_all));
    argv_xall = calloc((size_t)nfiles + 4, sizeof(*argv_xall));
    if (!argv_all || !argv_xall) {
        perror("pcscale");
        free(argv_all);
        free(argv_xall);
        return -1;
    }
    /* the files go after PCIPLAN [--libvirt V] --check -q */
    pciplan_argv(argv_all, c->pciplan, check_args);
    first = 0;
    while (argv_all[first])
        first++;
    argv_xall[0] = "xmllint";
    argv_xall[1] = "--format";
    for (long i = 0; i < nfiles; i++) {
        char path[4400];
        struct stat st;
        FILE *f;

        snprintf(path, sizeof(path), "%s/small-%05ld.xml", sub, i);
        f = fopen(path, "w");
        if (!f) {
            fprintf(stderr, "pcscale: %s: %s\n", path, strerror(errno));
            return -1;
        }
        gen_small(f, i);
        if (fclose(f) != 0 || stat(path, &st) != 0 ||
            !(argv_all[first + i] = strdup(path))) {
            fprintf(stderr, "pcscale: %s: %s\n", path, strerror(errno));
            return -1;
        }
        argv_xall[2 + i] = argv_all[first + i];
        bytes += (double)st.st_size;
    }
    fmt_size(bytes, s1, sizeof(s1));
    printf("\nbatch: %ld small q35 domains (3-8 devices each), %s (load "
           "average %.2f)\n",
           nfiles, s1, load_average());

    /* pciplan --check exits 1: every file would change */
    if (run_best(argv_all, c->errfile, c->runs, 1, &all_p) < 0 ||
        run_best(argv_xall, c->errfile, c->runs, 0, &all_x) < 0)
        return -1;
    for (long i = 0; i < nfiles; i++) {
        char *args[] = {argv_all[first + i], NULL}, *a[6];
        char *x[] = {"xmllint", "--format", argv_all[first + i], NULL};

        if (run_once(pciplan_argv(a, c->pciplan, args), c->errfile, &m) < 0)
            return -1;
        if (m.status != 0 && bad++ == 0)
            printf("  pciplan FAILED on %s: exit status %d: %s\n", args[0],
                   m.status, m.err);
        each_cpu += m.cpu;
        each_wall += m.wall;
        if (m.maxrss_kib > each_rss)
            each_rss = m.maxrss_kib;
        if (run_once(x, c->errfile, &m) < 0)
            return -1;
        xeach_cpu += m.cpu;
        xeach_wall += m.wall;
        if (m.maxrss_kib > xeach_rss)
            xeach_rss = m.maxrss_kib;
    }
    printf("  %-40s %10s %10s %11s %10s\n", "", "CPU", "wall", "domains/s",
           "peak RSS");
    printf("  %-40s %10s %10s %11s %10s\n", "", "", "", "(CPU)", "");
#define BROW(what, cpu, wall, rss, target)                                     \
    do {                                                                       \
        char r_[32];                                                           \
        double rate_ = (cpu) > 0 ? (double)nfiles / (cpu) : 0;                 \
        fmt_size((double)(rss)*1024.0, r_, sizeof(r_));                        \
        printf("  %-40s %8.3f s %8.3f s %11.0f %10s%s\n", what, cpu, wall,     \
               rate_, r_,                                                      \
               (target) && rate_ < TARGET_BATCH_RATE ? "  MISSED: rate" : ""); \
    } while (0)
    if (all_p.status != 0) {
        printf("  pciplan --check FAILED: exit status %d: %s\n", all_p.status,
               all_p.err);
        bad++;
    } else {
        BROW("pciplan --check -q FILE..., one process", all_p.cpu, all_p.wall,
             all_p.maxrss_kib, true);
    }
    BROW("pciplan FILE, one process per domain", each_cpu, each_wall, each_rss,
         false);
    BROW("xmllint --format FILE..., one process", all_x.cpu, all_x.wall,
         all_x.maxrss_kib, false);
    BROW("xmllint --format FILE, one per domain", xeach_cpu, xeach_wall,
         xeach_rss, false);
#undef BROW
    if (all_x.cpu > 0)
        printf("  one process: pciplan/xmllint CPU %.1fx; per domain: "
               "%.1fx\n",
               all_p.cpu / all_x.cpu,
               xeach_cpu > 0 ? each_cpu / xeach_cpu : 0.0);
    for (long i = 0; i < nfiles; i++) {
        if (!c->keep)
            unlink(argv_all[first + i]);
        free(argv_all[first + i]);
    }
    free(argv_all);
    free(argv_xall);
    if (!c->keep)
        rmdir(sub);
    if (bad)
        c->failed = true;
    return 0;
}

/* ------------------------------------------------------------ main */

static bool selected(const char *name, int argc, char **argv, int first)
{
    if (first >= argc)
        return true;
    for (int i = first; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return true;
    return false;
}

static bool parse_long(int opt, const char *arg, long min, long *v)
{
    char *end;

    *v = strtol(arg, &end, 10);
    if (*end || *v < min || *v > 1000000) {
        fprintf(stderr, "pcscale: -%c: invalid number '%s'\n", opt, arg);
        return false;
    }
    return true;
}

static void machine_info(const char *pciplan)
{
    struct utsname u;
    char line[256], model[256] = "?";
    FILE *f = fopen("/proc/cpuinfo", "r");

    while (f && fgets(line, sizeof(line), f)) {
        if (strncmp(line, "model name", 10) == 0) {
            char *p = strchr(line, ':');

            if (p) {
                snprintf(model, sizeof(model), "%s", p + 2);
                model[strcspn(model, "\n")] = '\0';
            }
            break;
        }
    }
    if (f)
        fclose(f);
    uname(&u);
    printf("machine: %s, %ld CPUs, %s %s\n", model,
           sysconf(_SC_NPROCESSORS_ONLN), u.sysname, u.release);
    printf("pciplan: %s", pciplan);
    if (libvirt_version && *libvirt_version)
        printf(" --libvirt %s (pinned, as CI does: the default asks virsh "
               "--version)\n",
               libvirt_version);
    else
        printf(" without --libvirt: the default path, virsh --version "
               "included\n");
}

int main(int argc, char **argv)
{
    struct ctx c = {NULL, "src/pciplan", NULL, 3, false, false};
    const char *keep = NULL;
    char dir[4096], errfile[4200];
    long batch = 10000, maxn = 16384, v;
    double t0 = now();
    int opt;

    while ((opt = getopt(argc, argv, "r:t:b:p:L:m:k:lh")) != -1) {
        switch (opt) {
        case 'r':
        case 't':
        case 'b':
        case 'm':
            if (!parse_long(opt, optarg, opt == 'b' ? 0 : 1, &v))
                return 2;
            if (opt == 'r')
                c.runs = (int)v;
            else if (opt == 't')
                cpu_limit = (int)v;
            else if (opt == 'b')
                batch = v;
            else
                maxn = v;
            break;
        case 'p':
            c.pciplan = optarg;
            break;
        case 'L':
            libvirt_version = optarg;
            break;
        case 'k':
            keep = optarg;
            break;
        case 'l':
            for (size_t i = 0; i < NFAMILIES; i++)
                printf("%-8s %s\n", families[i].name, families[i].what);
            printf("%-8s %s\n", "batch", "small q35 domains, -b of them");
            return 0;
        case 'h':
        default:
            fputs("usage: pcscale [-r RUNS] [-t SECONDS] [-b DOMAINS] "
                  "[-p PCIPLAN] [-L LIBVIRT]\n"
                  "               [-m MAXDEVICES] [-k DIR] [-l] [FAMILY...]\n",
                  opt == 'h' ? stdout : stderr);
            return opt == 'h' ? 0 : 2;
        }
    }
    for (int i = optind; i < argc; i++) {
        size_t j;

        for (j = 0; j < NFAMILIES && strcmp(families[j].name, argv[i]); j++)
            ;
        if (j == NFAMILIES && strcmp(argv[i], "batch")) {
            fprintf(stderr, "pcscale: unknown family '%s' (see -l)\n", argv[i]);
            return 2;
        }
    }
    if (access(c.pciplan, X_OK) != 0) {
        fprintf(stderr, "pcscale: %s: %s (build it first: make)\n", c.pciplan,
                strerror(errno));
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (keep) {
        if (mkdir(keep, 0755) < 0 && errno != EEXIST) {
            fprintf(stderr, "pcscale: %s: %s\n", keep, strerror(errno));
            return 2;
        }
        snprintf(dir, sizeof(dir), "%s", keep);
        c.keep = true;
    } else {
        const char *t = getenv("TMPDIR");

        snprintf(dir, sizeof(dir), "%s/pcscale.XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(dir)) {
            perror("pcscale: mkdtemp");
            return 2;
        }
    }
    snprintf(errfile, sizeof(errfile), "%s/stderr", dir);
    c.dir = dir;
    c.errfile = errfile;

    machine_info(c.pciplan);
    printf("pcscale: pciplan vs xmllint --format --huge, CPU = user+sys of "
           "the child,\n"
           "best of %d run%s (1 when a run takes > 2 s), peak RSS = "
           "ru_maxrss, CPU cap %d s a run\n",
           c.runs, c.runs == 1 ? "" : "s", cpu_limit);
    printf("targets (issue 10, not assertions): CPU <= %.1fx xmllint, growth "
           "per doubling <= %.1fx,\n"
           "  peak RSS <= %.0fx xmllint, >= %.0f small domains/s in one "
           "process\n",
           TARGET_CPU_RATIO, TARGET_GROWTH, TARGET_RSS_RATIO,
           TARGET_BATCH_RATE);
    printf("\n  %6s %9s  %9s %9s  %9s %9s  %6s %6s %7s\n", "", "", "pciplan",
           "", "xmllint", "", "CPU", "RSS", "growth");
    printf("  %6s %9s  %9s %9s  %9s %9s  %6s %6s %7s\n", "devs", "input", "CPU",
           "peak RSS", "CPU", "peak RSS", "ratio", "ratio", "per 2x");

    for (size_t i = 0; i < NFAMILIES; i++)
        if (selected(families[i].name, argc, argv, optind))
            run_family(&c, &families[i], maxn);
    if (batch > 0 && selected("batch", argc, argv, optind))
        if (run_batch(&c, batch) < 0)
            return 2;

    printf("\n(growth in parentheses: not a doubling, the growth per "
           "doubling it implies)\n");
    printf("pcscale: %.0f s in all (load average %.2f at the end)\n",
           now() - t0, load_average());
    unlink(errfile);
    if (!keep)
        rmdir(dir);
    else
        printf("inputs kept in %s\n", dir);
    return c.failed ? 1 : 0;
}
