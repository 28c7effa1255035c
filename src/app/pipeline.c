/*
 * pipeline.c: the in-memory path from document bytes to planned bytes
 * (parse, load, plan, render), for callers that have no files: the
 * fuzzer and the property check.
 */
#include "app/pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "model/domain.h"
#include "render/writer.h"
#include "xml/load.h"
#include "xml/xmldoc.h"
#include "util/xalloc.h"

int pipeline_plan_text(const char *text, size_t len,
                       const struct plan_options *opt, char **out,
                       size_t *outlen, struct diag *d)
{
    struct xmldoc xd;
    struct domain dom;
    char *copy = xmalloc(len + 1);
    int ret;

    *out = NULL;
    *outlen = 0;
    if (len)
        memcpy(copy, text, len);
    /* the document owns 'copy' from here on, also when parsing fails */
    if (xmldoc_parse(&xd, copy, len, d) < 0)
        return -1;
    memset(&dom, 0, sizeof(dom));
    ret = domain_load(&dom, &xd, d);
    if (ret == 0)
        ret = plan_run(&dom, opt, d);
    if (ret == 0)
        ret = writer_render(&xd, &dom, out, outlen, d);
    domain_free(&dom);
    xmldoc_free(&xd);
    if (ret < 0) {
        free(*out);
        *out = NULL;
        *outlen = 0;
        return -1;
    }
    return 0;
}
