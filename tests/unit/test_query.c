/* query: counting parameters before MHD parses them, and unescaping that
 * keeps "%00". */
#include "query.h"
#include "unit.h"

#include <string.h>

static void check_unescape(const char *in, const char *want)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", in);
    size_t n = query_unescape(buf);
    CHECK_STR(buf, want);
    CHECK(n == strlen(want));
}

void test_query(void)
{
    CHECK(query_param_count("") == 1);
    CHECK(query_param_count("a=1") == 1);
    CHECK(query_param_count("a=1&b=2;c") == 3);
    CHECK(query_param_count("a=1&b=2 HTTP/1.1") == 2); /* stops at the space before the version */
    check_unescape("a%20b", "a b");
    check_unescape("%e2%80%9C", "\xe2\x80\x9c");
    check_unescape("x%00y", "x%00y"); /* kept: a NUL would cut the value */
    check_unescape("%0", "%0");       /* incomplete escapes stay */
    check_unescape("%zz%", "%zz%");
    check_unescape("a+b", "a+b");
    check_unescape("%2500", "%00"); /* one pass only, as MHD does */
}
