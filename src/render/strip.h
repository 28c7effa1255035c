/*
 * strip.h: --strip, remove what pciplan (and libvirt) re-create.
 *
 * So a topology can be planned again from scratch, for instance for
 * another machine type ("pciplan --strip pc.xml | pciplan -m q35").
 * Removed, from the loaded (not planned) domain:
 *
 *   - every device's own <address type='pci'> (a host device's
 *     <source><address> stays: it names the host's device);
 *   - every <controller type='pci'>;
 *   - USB controller 0 when its model is the machine's implicit one
 *     (or absent) and it has nothing else: no other attribute, no child
 *     but <address>; then also every <address type='usb'> on USB bus 0
 *     (but a usb-net NIC's), as the new controller may have fewer ports;
 *   - SATA controller 0 with nothing else, when the machine always has
 *     one (q35) or a SATA disk makes libvirt add it again;
 *   - IDE controller 0 with nothing else, when no disk is on IDE.
 *
 * Each removed element takes its whole line(s) when it has them to
 * itself; every other byte is kept.
 */
#ifndef PCIPLAN_STRIP_H
#define PCIPLAN_STRIP_H

#include <stddef.h>

#include "util/diag.h"
#include "model/domain.h"
#include "xml/xmldoc.h"

/*
 * The xmldoc indexes of the elements --strip removes, into 'elems'
 * (room for xd->nelems). Returns how many.
 */
size_t strip_select(const struct xmldoc *xd, const struct domain *dom,
                    long *elems);

/* The stripped document in a newly allocated buffer *out. */
int strip_render(const struct xmldoc *xd, const struct domain *dom, char **out,
                 size_t *outlen, struct diag *d);

#endif
