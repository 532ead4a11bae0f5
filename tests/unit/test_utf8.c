#include "unit.h"
#include "utf8.h"

void test_utf8(void)
{
    size_t bad = 99;
    CHECK(utf8_valid("", 0, &bad));
    CHECK(utf8_valid("héllo 世界 😀", strlen("héllo 世界 😀"), &bad));
    CHECK(!utf8_valid("ab\xff", 3, &bad) && bad == 2);
    CHECK(!utf8_valid("a\xc0\xaf", 3, &bad) && bad == 1);        /* overlong '/' */
    CHECK(!utf8_valid("\xed\xa0\x80", 3, &bad) && bad == 0);     /* surrogate */
    CHECK(!utf8_valid("\xf4\x90\x80\x80", 4, &bad) && bad == 0); /* above U+10FFFF */
    CHECK(!utf8_valid("ab\xe4\xb8", 4, &bad) && bad == 2);       /* truncated */
    CHECK(!utf8_valid("a\0b", 3, &bad) && bad == 1);             /* NUL */

    const char *s = "a馬😀e\xcc\x81z"; /* a, 馬 (3 bytes), 😀 (4), e + combining acute (2), z */
    size_t n = strlen(s);
    CHECK(utf8_count(s, n) == 6);
    CHECK(utf8_byte_offset(s, n, 0) == 0);
    CHECK(utf8_byte_offset(s, n, 1) == 1);
    CHECK(utf8_byte_offset(s, n, 2) == 4);
    CHECK(utf8_byte_offset(s, n, 3) == 8);
    CHECK(utf8_byte_offset(s, n, 4) == 9); /* the combining mark is its own code point */
    CHECK(utf8_byte_offset(s, n, 6) == n);
    CHECK(utf8_byte_offset(s, n, 7) == (size_t)-1);
    CHECK(utf8_back(s, 8, 1) == 4);
    CHECK(utf8_back(s, 8, 10) == 0);
    CHECK(utf8_forward(s, n, 1, 2) == 8);
    CHECK(utf8_forward(s, n, 8, 100) == n);
}
