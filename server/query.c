#include "query.h"

#include "hex.h"

#include <string.h>

unsigned query_param_count(const char *q)
{
    unsigned params = 1;
    for (const char *p = q; *p && *p != ' '; p++)
        params += *p == '&' || *p == ';';
    return params;
}

size_t query_unescape(char *s)
{
    char *out = s;
    for (const char *in = s; *in;) {
        int hi, lo;
        if (in[0] == '%' && (hi = hex_value(in[1])) >= 0 && (lo = hex_value(in[2])) >= 0 && (hi | lo) != 0) {
            *out++ = (char)(hi * 16 + lo);
            in += 3;
        } else {
            *out++ = *in++; /* "%00", a lone '%' and anything else stay as they are */
        }
    }
    *out = '\0';
    return (size_t)(out - s);
}
