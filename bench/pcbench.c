/*
 * pcbench.c: how fast is pciplan compared with just parsing and writing?
 *
 * Generates large domains, writes them to a temporary directory, runs
 * src/pciplan and `xmllint --format` on each (output to /dev/null) and
 * prints wall time and peak RSS, best of N runs, with the ratio of the
 * two. xmllint --format is the floor: the cost of parsing the same
 * document and writing it back out.
 *
 * Usage: bench/pcbench [-n DEVICES] [-r RUNS] [-p PCIPLAN] [-k DIR]
 *                      [CASE...]
 *   -n  devices per generated domain (default 7000)
 *   -r  runs per program, the best is reported (default 3)
 *   -p  the pciplan binary (default src/pciplan)
 *   -k  keep the generated domains in DIR instead of a temporary dir
 *   CASE  names of the cases to run (default all; -l lists them)
 *
 * Cases are rows of the table 'cases' below: a name, the machine and a
 * generator; a q35 case is a new generator and a new row.
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

struct bench_case {
    const char *name;
    const char *what;
    generator gen;
};

static const struct bench_case cases[] = {
    {"pc-bridges", "pc, N devices, every pci-bridge listed", gen_pc_bridges},
    {"pc-plain", "pc, N devices, no controllers", gen_pc_plain},
    /* issue 3: q35 rows (whole bus space with root ports and switches,
       a batch of small domains) go here */
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

/* ------------------------------------------------------------ main */

static void usage(FILE *f)
{
    fputs("usage: pcbench [-n DEVICES] [-r RUNS] [-p PCIPLAN] [-k DIR] "
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

int main(int argc, char **argv)
{
    struct gen_params params = {7000};
    const char *pciplan = "src/pciplan";
    const char *keep = NULL;
    char dir[4096], errfile[4200];
    bool xmllint, failed = false;
    struct measure floor_m;
    int runs = 3, opt;

    while ((opt = getopt(argc, argv, "n:r:p:k:lh")) != -1) {
        switch (opt) {
        case 'n':
        case 'r': {
            char *end;
            long v = strtol(optarg, &end, 10);

            if (*end || v < 1 || v > 1000000) {
                fprintf(stderr, "pcbench: -%c: invalid number '%s'\n", opt,
                        optarg);
                return 2;
            }
            if (opt == 'n')
                params.devices = v;
            else
                runs = (int)v;
            break;
        }
        case 'p':
            pciplan = optarg;
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
    printf("(fork+exec of true: %.4f s, %ld KiB peak RSS)\n\n", floor_m.seconds,
           floor_m.maxrss_kib);
    printf("%-12s %9s %7s %5s  %-20s  %-20s  %6s %6s\n", "case", "input",
           "devices", "ctrls", "pciplan", "xmllint --format", "time", "RSS");
    printf("%-12s %9s %7s %5s  %7s   %10s  %7s   %10s  %6s %6s\n", "", "", "",
           "", "time", "peak RSS", "time", "peak RSS", "ratio", "ratio");

    for (size_t i = 0; i < NCASES; i++) {
        const struct bench_case *c = &cases[i];
        struct gen_result gr = {0, 0};
        struct measure mp, mx;
        char path[4300], size_s[32], ps[64], xs[64], tr[16] = "-", rr[16] = "-";
        struct stat st;
        FILE *f;

        if (!selected(c->name, argc, argv, optind))
            continue;
        snprintf(path, sizeof(path), "%s/%s.xml", dir, c->name);
        f = fopen(path, "w");
        if (!f) {
            fprintf(stderr, "pcbench: %s: %s\n", path, strerror(errno));
            return 2;
        }
        if (c->gen(f, c->name, &params, &gr) < 0) {
            fclose(f);
            failed = true;
            continue;
        }
        if (fclose(f) != 0 || stat(path, &st) != 0) {
            fprintf(stderr, "pcbench: %s: %s\n", path, strerror(errno));
            return 2;
        }
        fmt_size((double)st.st_size, size_s, sizeof(size_s));

        {
            char *argv_p[] = {(char *)pciplan, path, NULL};

            if (run_best(argv_p, errfile, runs, &mp) < 0)
                return 2;
        }
        memset(&mx, 0, sizeof(mx));
        if (xmllint) {
            char *argv_x[] = {"xmllint", "--format", "--huge", path, NULL};

            if (run_best(argv_x, errfile, runs, &mx) < 0)
                return 2;
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
            failed = true;
        }
        if (xmllint && !mx.ok)
            printf("    xmllint exit status %d: %s\n", mx.status, mx.err);
        if (!keep)
            unlink(path);
    }

    unlink(errfile);
    if (!keep)
        rmdir(dir);
    else
        printf("\ninputs kept in %s\n", dir);
    return failed ? 1 : 0;
}
