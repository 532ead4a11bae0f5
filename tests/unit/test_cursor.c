#include "cursor.h"
#include "unit.h"

void test_cursor(void)
{
    char enc[CURSOR_MAX_LEN], buf[CURSOR_MAX_LEN];
    const char *out[CURSOR_MAX_PARTS];
    const char *one[] = {"01a20bb9-e046-71d5-b927-f280d1ce1648"};
    CHECK(cursor_encode(one, 1, enc));
    CHECK(strspn(enc, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == strlen(enc));
    CHECK(cursor_decode(enc, 1, buf, out) && strcmp(out[0], one[0]) == 0);
    CHECK(!cursor_decode(enc, 2, buf, out)); /* wrong arity */

    const char *two[] = {"1234", "01a20bb9-e046-71d5-b927-f280d1ce1648"};
    CHECK(cursor_encode(two, 2, enc));
    CHECK(cursor_decode(enc, 2, buf, out) && strcmp(out[0], "1234") == 0 && strcmp(out[1], two[1]) == 0);
    CHECK(!cursor_decode(enc, 1, buf, out));

    const char *empty[] = {""};
    CHECK(cursor_encode(empty, 1, enc) && cursor_decode(enc, 1, buf, out) && out[0][0] == '\0');

    CHECK(!cursor_decode("", 1, buf, out));
    CHECK(!cursor_decode("not a cursor!", 1, buf, out));
    CHECK(!cursor_decode("Zm9v", 1, buf, out)); /* "foo": base64 but not ours */
    CHECK(!cursor_decode("A", 1, buf, out));
    const char *sep[] = {"a\x1f"
                         "b"};
    CHECK(!cursor_encode(sep, 1, enc));
    char big[CURSOR_MAX_LEN];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    const char *huge[] = {big};
    CHECK(!cursor_encode(huge, 1, enc));
}
