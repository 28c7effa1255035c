/* Unit tests for xmldoc.c: safe loading and the element byte table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_suites.h"
#include "xml/xmldoc.h"

static struct xmldoc xd;
static struct diag d;

static int parse_string(const char *s)
{
    size_t len = strlen(s);
    char *copy = malloc(len + 1);

    memcpy(copy, s, len + 1);
    memset(&d, 0, sizeof(d));
    return xmldoc_parse(&xd, copy, len, &d);
}

static void teardown(void)
{
    xmldoc_free(&xd);
}

/* Index of the n-th (from 0) element called 'name'. */
static long find_elem(const char *name, int n)
{
    size_t i;

    for (i = 0; i < xd.nelems; i++) {
        if (xmldoc_name_is(&xd, (long)i, name) && n-- == 0)
            return (long)i;
    }
    return -1;
}

/* The original bytes of element i. */
static char *elem_text(long i)
{
    const struct xml_elem *e = &xd.elems[i];
    char *s = malloc(e->end - e->start + 1);

    memcpy(s, xd.text + e->start, e->end - e->start);
    s[e->end - e->start] = '\0';
    return s;
}

static void assert_elem_text(const char *name, int n, const char *expected)
{
    long i = find_elem(name, n);
    char *s;

    ck_assert_int_ge(i, 0);
    s = elem_text(i);
    ck_assert_str_eq(s, expected);
    free(s);
}

static void assert_elem_text_at(long i, const char *expected)
{
    char *s = elem_text(i);

    ck_assert_str_eq(s, expected);
    free(s);
}

static void assert_invalid(const char *doc, const char *msg_part)
{
    ck_assert_int_eq(parse_string(doc), -1);
    ck_assert_int_eq(d.status, STATUS_INVALID);
    ck_assert_msg(strstr(d.msg, msg_part) != NULL, "'%s' not in '%s'", msg_part,
                  d.msg);
    ck_assert_ptr_null(xd.values);
    ck_assert_ptr_null(xd.elems);
    ck_assert_ptr_null(xd.text);
}

START_TEST(test_offsets)
{
    static const char doc[] = "<domain type='kvm'>\n"
                              "  <name>x</name>\n"
                              "  <devices><disk type='file'/></devices>\n"
                              "</domain>\n";
    const struct xml_elem *e;

    ck_assert_int_eq(parse_string(doc), 0);
    ck_assert_uint_eq(xd.nelems, 4);
    ck_assert_str_eq(xmldoc_name(&xd, 0), "domain");
    ck_assert_str_eq(xd.newline, "\n");
    ck_assert_uint_eq(xd.len, strlen(doc));
    ck_assert_int_eq(xd.text[xd.len], '\0');

    e = &xd.elems[0];
    ck_assert_uint_eq(e->start, 0);
    ck_assert_uint_eq(e->indent, 0);
    ck_assert_uint_eq(e->stag_close, strlen("<domain type='kvm'"));
    ck_assert(!e->empty);
    ck_assert_uint_eq(e->etag, strlen(doc) - strlen("</domain>\n"));
    ck_assert_uint_eq(e->end, strlen(doc) - 1);

    e = &xd.elems[1];
    ck_assert_str_eq(xmldoc_name(&xd, 1), "name");
    ck_assert_uint_eq(e->line, 2);
    ck_assert_uint_eq(e->indent, strlen("<domain type='kvm'>\n"));
    ck_assert_uint_eq(e->start, e->indent + 2);

    e = &xd.elems[3];
    ck_assert(e->empty);
    ck_assert_uint_eq(e->etag, XMLDOC_NONE);
    ck_assert_int_eq(xd.text[e->stag_close], '/');
    ck_assert_int_eq(xd.text[e->end - 1], '>');
    /* <disk> does not begin its line */
    ck_assert_uint_eq(e->indent, e->start);
    assert_elem_text("devices", 0, "<devices><disk type='file'/></devices>");
}
END_TEST

/* Children and siblings by name, chained through -1. */
START_TEST(test_lookups)
{
    long b;

    ck_assert_int_eq(parse_string("<domain><a/><b>t<c/></b><b/><a/></domain>"),
                     0);
    b = xmldoc_child(&xd, 0, "b");
    ck_assert_int_eq(b, find_elem("b", 0));
    ck_assert_int_eq(xmldoc_child(&xd, 0, NULL), find_elem("a", 0));
    ck_assert_int_eq(xmldoc_child(&xd, b, NULL), find_elem("c", 0));
    ck_assert_int_eq(xmldoc_next(&xd, b, "b"), find_elem("b", 1));
    ck_assert_int_eq(xmldoc_next(&xd, b, "a"), find_elem("a", 1));
    ck_assert_int_eq(xmldoc_next(&xd, find_elem("a", 1), NULL), -1);
    ck_assert_int_eq(xmldoc_child(&xd, b, "x"), -1);
    ck_assert_int_eq(xmldoc_child(&xd, -1, "b"), -1);
    ck_assert_int_eq(xmldoc_next(&xd, -1, NULL), -1);
    ck_assert_ptr_null(xmldoc_attr(&xd, -1, "type"));
    ck_assert_uint_eq(xmldoc_line(&xd, -1), 0);
}
END_TEST

/* Values as libxml2 reads them: references resolved, whitespace
 * normalised, nothing from another namespace. */
START_TEST(test_attributes)
{
    ck_assert_int_eq(
        parse_string(
            "<domain xmlns:q='urn:q' a='1' q:a='2' b=\"x&amp;y&#38;z\" "
            "c='&lt;&#x41;&gt;' d='t\tn\nr\r' e=''>"
            "<x:dev q:type='k'/></domain>"),
        0);
    ck_assert_str_eq(xmldoc_attr(&xd, 0, "a"), "1");
    ck_assert_str_eq(xmldoc_attr(&xd, 0, "b"), "x&y&z");
    ck_assert_str_eq(xmldoc_attr(&xd, 0, "c"), "<A>");
    ck_assert_str_eq(xmldoc_attr(&xd, 0, "d"), "t n r ");
    ck_assert_str_eq(xmldoc_attr(&xd, 0, "e"), "");
    ck_assert_ptr_null(xmldoc_attr(&xd, 0, "f"));
    ck_assert_uint_eq(xmldoc_nattrs(&xd, 0), 6);
    ck_assert_str_eq(xmldoc_attr_name(&xd, 0, 1), "a");
    ck_assert_str_eq(xmldoc_attr_value(&xd, 0, 1), "2");
    /* a prefix bound to no namespace stays part of the name, as in
     * libxml2's tree: <x:dev> is no <dev> */
    ck_assert_str_eq(xmldoc_name(&xd, 1), "x:dev");
    ck_assert(!xmldoc_name_is(&xd, 1, "dev"));
    ck_assert_ptr_null(xmldoc_attr(&xd, 1, "type"));
    ck_assert_uint_eq(xmldoc_nattrs(&xd, 1), 1);
}
END_TEST

/* A default the DOCTYPE declares is read where the element has none,
 * and never copied into the table. */
START_TEST(test_dtd_default)
{
    ck_assert_int_eq(
        parse_string("<!DOCTYPE domain [<!ATTLIST address type CDATA 'pci'>"
                     "<!ATTLIST q:b c CDATA 'qc'>]>"
                     "<domain xmlns:q='urn:q'><address/>"
                     "<address type='drive'/><q:b/></domain>"),
        0);
    ck_assert_str_eq(xmldoc_attr(&xd, 1, "type"), "pci");
    ck_assert_uint_eq(xmldoc_nattrs(&xd, 1), 0);
    ck_assert_str_eq(xmldoc_attr(&xd, 2, "type"), "drive");
    ck_assert_str_eq(xmldoc_attr(&xd, 3, "c"), "qc");
    ck_assert_ptr_null(xmldoc_attr(&xd, 0, "type"));
}
END_TEST

static void assert_text(const char *name, const char *expected)
{
    char *t = xmldoc_text(&xd, find_elem(name, 0));

    ck_assert_str_eq(t, expected);
    free(t);
}

/* Text is XPath's string(): the element's and its descendants', in
 * order, CDATA included, comments not. */
START_TEST(test_text)
{
    ck_assert_int_eq(
        parse_string("<domain>\n  <a> 1 </a>\n  <b>1<c>0</c><!--x-->2</b>\n"
                     "  <d><![CDATA[<&>]]>&amp;</d><e/><f>\n  <g/>\n</f>"
                     "</domain>"),
        0);
    assert_text("a", " 1 ");
    assert_text("b", "102");
    assert_text("d", "<&>&");
    assert_text("e", "");
    /* blanks between child elements are layout */
    assert_text("f", "");
}
END_TEST

/* The tree in the table: what the writer navigates once the values
 * are gone. */
START_TEST(test_tree)
{
    static const char doc[] = "<domain xmlns:q='urn:x'><a/>text<b> <c/>\n"
                              "<d/>x</b><e><!--c--></e><f> </f>"
                              "<q:address/></domain>";
    enum { DOMAIN, A, B, C, D, E, F, ADDRESS, N };
    static const char *const names[N] = {"domain", "a", "b", "c",
                                         "d",      "e", "f", "address"};
    static const uint32_t parent[N] = {XMLDOC_NONE, DOMAIN, DOMAIN, B,
                                       B,           DOMAIN, DOMAIN, DOMAIN};
    static const uint32_t child[N] = {A,           XMLDOC_NONE, C,
                                      XMLDOC_NONE, XMLDOC_NONE, XMLDOC_NONE,
                                      XMLDOC_NONE, XMLDOC_NONE};
    static const uint32_t next[N] = {XMLDOC_NONE, B, E,       D,
                                     XMLDOC_NONE, F, ADDRESS, XMLDOC_NONE};
    /* text, text, a comment; blanks are not content */
    static const bool mixed[N] = {true,  false, true,  false,
                                  false, true,  false, false};

    ck_assert_int_eq(parse_string(doc), 0);
    ck_assert_uint_eq(xd.nelems, N);
    xmldoc_drop_values(&xd);
    ck_assert_ptr_null(xd.values);
    for (int i = 0; i < N; i++) {
        const struct xml_elem *e = &xd.elems[i];

        ck_assert_msg(xmldoc_name_is(&xd, i, names[i]), "element %d", i);
        ck_assert(!xmldoc_name_is(&xd, i, "ad"));
        ck_assert_uint_eq(e->parent, parent[i]);
        ck_assert_uint_eq(e->first_child, child[i]);
        ck_assert_uint_eq(e->next_sibling, next[i]);
        ck_assert_int_eq(e->mixed, mixed[i]);
    }
    ck_assert_int_eq(xd.text[xd.elems[ADDRESS].start + 1], 'q');
    assert_elem_text_at(B, "<b> <c/>\n<d/>x</b>");
    xmldoc_drop_values(&xd); /* a second time is harmless */
}
END_TEST

/* Lines are counted by libxml2 as each start tag ends, past 65535
 * too, whatever the blanks around the element. */
START_TEST(test_big_lines)
{
    const size_t nl = 70000;
    char *doc = malloc(nl + 64), *p = doc;

    p += sprintf(p, "<domain>");
    memset(p, '\n', nl);
    p += nl;
    sprintf(p, "<devices>\n<disk\n/>\n</devices></domain>");
    ck_assert_int_eq(parse_string(doc), 0);
    free(doc);
    ck_assert_uint_eq(xmldoc_line(&xd, find_elem("devices", 0)), nl + 1);
    ck_assert_uint_eq(xmldoc_line(&xd, find_elem("disk", 0)), nl + 3);
}
END_TEST

/* Markup-looking text in comments, PIs, CDATA, quoted values and the
 * DOCTYPE must not confuse the tokenizer. */
START_TEST(test_tricky_markup)
{
    static const char doc[] =
        "<?xml version='1.0'?>\n"
        "<!DOCTYPE domain [\n"
        "  <!-- it's <odd> ] -->\n"
        "  <!ELEMENT domain ANY>\n"
        "  <!ATTLIST domain x CDATA \"a>]b\">\n"
        "  <?pi ] > ?>\n"
        "]>\n"
        "<domain x=\"/>\">\n"
        "  <!-- <disk> </domain> -->\n"
        "  <name a='x>/y' b=\"it's\">t&gt;</name><![CDATA[ <foo/> ]]>\n"
        "  <?target <bar/> ?>\n"
        "  <empty  />\n"
        "  <tab\tattr='1'\n"
        "       other='2'/>\n"
        "</domain>\n"
        "<!-- after <x/> -->\n";

    ck_assert_int_eq(parse_string(doc), 0);
    ck_assert_uint_eq(xd.nelems, 4);
    assert_elem_text("name", 0, "<name a='x>/y' b=\"it's\">t&gt;</name>");
    assert_elem_text("empty", 0, "<empty  />");
    assert_elem_text("tab", 0, "<tab\tattr='1'\n       other='2'/>");
    ck_assert_int_eq(xd.text[xd.elems[0].stag_close], '>');
    ck_assert_int_eq(xd.text[xd.elems[0].stag_close - 1], '"');
}
END_TEST

START_TEST(test_crlf)
{
    static const char doc[] = "<domain>\r\n  <devices>\r\n  </devices>\r\n"
                              "</domain>\r\n";

    ck_assert_int_eq(parse_string(doc), 0);
    ck_assert_str_eq(xd.newline, "\r\n");
    ck_assert_uint_eq(xd.elems[1].indent, strlen("<domain>\r\n"));
}
END_TEST

/* The line ending a break at an offset takes, line by line. */
START_TEST(test_newline_at)
{
    static const char doc[] = "<domain>\n  <a/>\r\n  <b/>\n</domain>";
    size_t a = strlen("<domain>\n"), b = strlen("<domain>\n  <a/>\r\n");

    ck_assert_int_eq(parse_string(doc), 0);
    ck_assert_str_eq(xd.newline, "\n");
    ck_assert_str_eq(xmldoc_newline_at(&xd, 0), "\n");
    ck_assert_str_eq(xmldoc_newline_at(&xd, a), "\n");       /* line start */
    ck_assert_str_eq(xmldoc_newline_at(&xd, a + 2), "\r\n"); /* mid-line */
    ck_assert_str_eq(xmldoc_newline_at(&xd, b), "\r\n");
    ck_assert_str_eq(xmldoc_newline_at(&xd, b + 2), "\n");
    /* the unterminated last line ends like the one before */
    ck_assert_str_eq(xmldoc_newline_at(&xd, xd.len), "\n");
    ck_assert_str_eq(xmldoc_newline_at(&xd, xd.len - 3), "\n");
}
END_TEST

/* Each start tag's quote, and the one most values use. */
START_TEST(test_quotes)
{
    ck_assert_int_eq(parse_string("<domain type=\"kvm\"><a x='1' y=\"2\"/>"
                                  "<b/><c z=\"'\"/></domain>"),
                     0);
    ck_assert_int_eq(xd.elems[0].quote, '"');
    ck_assert_int_eq(xd.elems[1].quote, '\'');
    ck_assert_int_eq(xd.elems[2].quote, 0);
    ck_assert_int_eq(xd.elems[3].quote, '"');
    ck_assert_int_eq(xd.quote, '"');
    xmldoc_free(&xd);
    ck_assert_int_eq(parse_string("<domain a='1' b=\"2\"><x/></domain>"), 0);
    ck_assert_int_eq(xd.quote, '\''); /* a tie: libvirt's */
    xmldoc_free(&xd);
    ck_assert_int_eq(parse_string("<domain><x/></domain>"), 0);
    ck_assert_int_eq(xd.quote, 0);
}
END_TEST

START_TEST(test_no_newline)
{
    ck_assert_int_eq(parse_string("<domain/>"), 0);
    ck_assert_str_eq(xd.newline, "\n");
    ck_assert(xd.elems[0].empty);
}
END_TEST

START_TEST(test_utf8_ok)
{
    ck_assert_int_eq(parse_string("\xef\xbb\xbf<?xml version='1.0' "
                                  "encoding='utf-8'?>\n<domain>"
                                  "<name>caf\xc3\xa9</name></domain>"),
                     0);
    ck_assert_uint_eq(xd.elems[0].start, 3 + strlen("<?xml version='1.0' "
                                                    "encoding='utf-8'?>\n"));
    teardown();
    ck_assert_int_eq(
        parse_string("<?xml version=\"1.0\" encoding=\"US-ASCII\"?><domain/>"),
        0);
}
END_TEST

START_TEST(test_reject_other_encoding)
{
    assert_invalid("<?xml version='1.0' encoding='ISO-8859-1'?><domain/>",
                   "encoding 'ISO-8859-1' is not supported");
}
END_TEST

START_TEST(test_reject_utf16)
{
    static const char bom[] = "\xff\xfe<\0d\0o\0m\0a\0i\0n\0/\0>\0";
    char *copy = malloc(sizeof(bom) - 1);

    memcpy(copy, bom, sizeof(bom) - 1);
    memset(&d, 0, sizeof(d));
    ck_assert_int_eq(xmldoc_parse(&xd, copy, sizeof(bom) - 1, &d), -1);
    ck_assert_int_eq(d.status, STATUS_INVALID);
    ck_assert_ptr_nonnull(strstr(d.msg, "UTF-16"));
}
END_TEST

START_TEST(test_reject_not_well_formed)
{
    assert_invalid("<domain>\n<a>\n</b></domain>", "not well-formed XML: ");
    ck_assert_uint_eq(d.line, 3);
    ck_assert_ptr_nonnull(strstr(d.msg, "mismatch"));
}
END_TEST

START_TEST(test_reject_empty)
{
    assert_invalid("", "not well-formed XML");
}
END_TEST

START_TEST(test_reject_entity_decl)
{
    assert_invalid("<?xml version='1.0'?>\n"
                   "<!DOCTYPE domain [\n<!ENTITY a 'b'>\n]>\n"
                   "<domain>&a;</domain>",
                   "entity declarations are not allowed");
    ck_assert_uint_eq(d.line, 3);
}
END_TEST

START_TEST(test_reject_parameter_entity_decl)
{
    assert_invalid("<!DOCTYPE domain [<!ENTITY % p 'x'>]><domain/>",
                   "entity declarations are not allowed");
}
END_TEST

START_TEST(test_reject_billion_laughs)
{
    assert_invalid("<!DOCTYPE domain [\n"
                   " <!ENTITY a 'aaaaaaaaaa'>\n"
                   " <!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>\n"
                   " <!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>\n"
                   "]>\n<domain>&c;</domain>",
                   "entity declarations are not allowed");
}
END_TEST

START_TEST(test_reject_external_entity_ref)
{
    /* with an external subset libxml2 only warns: still rejected */
    assert_invalid("<!DOCTYPE domain SYSTEM 'http://example.com/x.dtd'>\n"
                   "<domain>&ext;</domain>",
                   "entity");
    teardown();
    assert_invalid("<!DOCTYPE domain SYSTEM 'http://example.com/x.dtd'>\n"
                   "<domain a='&ext;'/>",
                   "entity");
}
END_TEST

START_TEST(test_doctype_without_entities_ok)
{
    ck_assert_int_eq(
        parse_string("<!DOCTYPE domain [<!ELEMENT domain ANY>]><domain/>"), 0);
}
END_TEST

START_TEST(test_reject_root)
{
    assert_invalid("<network/>", "root element must be <domain>");
    ck_assert_str_eq(d.element, "network");
}
END_TEST

static char *nested(int depth)
{
    char *s = malloc((size_t)depth * 7 + 32), *p = s;
    int i;

    p += sprintf(p, "<domain>");
    for (i = 1; i < depth; i++)
        p += sprintf(p, "<a>");
    for (i = 1; i < depth; i++)
        p += sprintf(p, "</a>");
    sprintf(p, "</domain>");
    return s;
}

START_TEST(test_depth_limit)
{
    char *ok = nested(XMLDOC_MAX_DEPTH), *deep = nested(XMLDOC_MAX_DEPTH + 1);

    ck_assert_int_eq(parse_string(ok), 0);
    ck_assert_uint_eq(xd.nelems, XMLDOC_MAX_DEPTH);
    teardown();
    assert_invalid(deep, "nested too deeply");
    free(ok);
    free(deep);
}
END_TEST

START_TEST(test_size_limit)
{
    /* rejected on the length alone; the bytes are never looked at */
    char *big = malloc((size_t)XMLDOC_MAX_BYTES + 1);

    memset(&d, 0, sizeof(d));
    ck_assert_int_eq(xmldoc_parse(&xd, big, (size_t)XMLDOC_MAX_BYTES + 1, &d),
                     -1);
    ck_assert_int_eq(d.status, STATUS_INVALID);
    ck_assert_ptr_nonnull(strstr(d.msg, "too large"));
}
END_TEST

/* 100k elements must not take long: everything is linear. */
START_TEST(test_many_elements)
{
    size_t n = 100000, i, cap = n * 40 + 64, len = 0;
    char *s = malloc(cap);

    len += (size_t)sprintf(s, "<domain>\n <devices>\n");
    for (i = 0; i < n; i++)
        len += (size_t)sprintf(s + len, "  <disk type='file' x=\"%zu\"/>\n", i);
    len += (size_t)sprintf(s + len, " </devices>\n</domain>\n");
    memset(&d, 0, sizeof(d));
    ck_assert_int_eq(xmldoc_parse(&xd, s, len, &d), 0);
    ck_assert_uint_eq(xd.nelems, n + 2);
    ck_assert_str_eq(xmldoc_attr(&xd, (long)n + 1, "x"), "99999");
    ck_assert_uint_eq(xmldoc_line(&xd, (long)n + 1), n + 2);
    ck_assert_int_eq(xd.text[xd.elems[n + 1].start], '<');
}
END_TEST

START_TEST(test_free_twice_safe)
{
    ck_assert_int_eq(parse_string("<domain/>"), 0);
    xmldoc_free(&xd);
    xmldoc_free(&xd);
}
END_TEST

Suite *xmldoc_suite(void)
{
    Suite *s = suite_create("xmldoc");
    TCase *tc = tcase_create("xmldoc");

    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_offsets);
    tcase_add_test(tc, test_lookups);
    tcase_add_test(tc, test_attributes);
    tcase_add_test(tc, test_dtd_default);
    tcase_add_test(tc, test_text);
    tcase_add_test(tc, test_tree);
    tcase_add_test(tc, test_big_lines);
    tcase_add_test(tc, test_tricky_markup);
    tcase_add_test(tc, test_crlf);
    tcase_add_test(tc, test_no_newline);
    tcase_add_test(tc, test_newline_at);
    tcase_add_test(tc, test_quotes);
    tcase_add_test(tc, test_utf8_ok);
    tcase_add_test(tc, test_reject_other_encoding);
    tcase_add_test(tc, test_reject_utf16);
    tcase_add_test(tc, test_reject_not_well_formed);
    tcase_add_test(tc, test_reject_empty);
    tcase_add_test(tc, test_reject_entity_decl);
    tcase_add_test(tc, test_reject_parameter_entity_decl);
    tcase_add_test(tc, test_reject_billion_laughs);
    tcase_add_test(tc, test_reject_external_entity_ref);
    tcase_add_test(tc, test_doctype_without_entities_ok);
    tcase_add_test(tc, test_reject_root);
    tcase_add_test(tc, test_depth_limit);
    tcase_add_test(tc, test_size_limit);
    tcase_add_test(tc, test_many_elements);
    tcase_add_test(tc, test_free_twice_safe);
    suite_add_tcase(s, tc);
    return s;
}
