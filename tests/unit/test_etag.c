#include "etag.h"
#include "unit.h"

void test_etag(void)
{
    /* The top-level "rev" of json_build_object's spacing, and of compact JSON. */
    const char *obj = "{\"id\" : \"x\", \"rev\" : 12, \"attributions\" : [{\"rev\" : 3}]}";
    CHECK(etag_rev_of_json(obj, strlen(obj)) == 12);
    const char *nested_first = "{\"a\":{\"rev\":3},\"text\":\"\\\"rev\\\": 9\",\"rev\":4}";
    CHECK(etag_rev_of_json(nested_first, strlen(nested_first)) == 4);
    CHECK(etag_rev_of_json("{\"id\":1}", 8) == -1);
    CHECK(etag_rev_of_json("{\"rev\":null}", 12) == -1);
    CHECK(etag_rev_of_json("{\"rev\":7", 8) == 7); /* truncated input: no overrun */
    CHECK(etag_rev_of_json("\"rev", 4) == -1);

    char a[ETAG_MAX], b[ETAG_MAX];
    etag_make(5, "{}", 2, a);
    etag_make(5, "{ }", 3, b);
    CHECK(strncmp(a, "\"5-", 3) == 0 && a[strlen(a) - 1] == '"' && strcmp(a, b) != 0);

    long long rev = 0;
    CHECK(etag_parse_rev(a, &rev) && rev == 5);
    CHECK(etag_parse_rev("\"17\"", &rev) && rev == 17);
    CHECK(etag_parse_rev(" W/\"3-abc\" ", &rev) && rev == 3);
    CHECK(!etag_parse_rev("17", &rev));
    CHECK(!etag_parse_rev("\"x\"", &rev));
    CHECK(!etag_parse_rev("\"1\", \"2\"", &rev));
    CHECK(!etag_parse_rev("\"1-zz\"", &rev));
    CHECK(!etag_parse_rev("\"99999999999999999999\"", &rev));
    CHECK(!etag_parse_rev("", &rev));

    CHECK(etag_none_match(a, a));
    CHECK(etag_none_match("*", a));
    CHECK(etag_none_match("\"1-0\", W/\"5-", "\"1-0\""));
    char list[128];
    snprintf(list, sizeof list, "\"1-0\", W/%s", a);
    CHECK(etag_none_match(list, a));
    CHECK(!etag_none_match("\"5\"", a));
    CHECK(!etag_none_match("", a));
}
