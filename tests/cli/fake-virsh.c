/*
 * fake-virsh.c: a stand-in virsh for tests/cli/run-version-cache.
 *
 * An ELF binary, as a real virsh is (pciplan caches only an ELF virsh's
 * answer). `--version` prints the first line of the file named by its
 * own path plus ".version" (the version a real virsh has built in), and
 * every run appends a line to $FAKE_VIRSH_LOG, so the test can count
 * how often pciplan asked.
 */
#define _DEFAULT_SOURCE

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    char self[4096], file[4200], line[64] = "";
    const char *log = getenv("FAKE_VIRSH_LOG");
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    FILE *f;

    if (log && (f = fopen(log, "a"))) {
        fputs("run\n", f);
        fclose(f);
    }
    if (n < 0 || argc != 2 || strcmp(argv[1], "--version") != 0)
        return 2;
    self[n] = '\0';
    snprintf(file, sizeof(file), "%s.version", self);
    f = fopen(file, "r");
    if (!f || !fgets(line, sizeof(line), f))
        return 1;
    fclose(f);
    fputs(line, stdout);
    return 0;
}
