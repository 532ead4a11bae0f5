#include "config.h"
#include "unit.h"

#include <stdlib.h>

void test_config(void)
{
    size_t z;
    unsigned u;
    CHECK(config_parse_size("1024", &z) == 0 && z == 1024);
    CHECK(config_parse_size("16M", &z) == 0 && z == 16u << 20);
    CHECK(config_parse_size("64k", &z) == 0 && z == 65536);
    CHECK(config_parse_size("2GB", &z) == 0 && z == (size_t)2 << 30);
    CHECK(config_parse_size("", &z) != 0);
    CHECK(config_parse_size("-1", &z) != 0);
    CHECK(config_parse_size("12Q", &z) != 0);
    CHECK(config_parse_size("99999999999999999999999", &z) != 0);
    CHECK(config_parse_uint("8080", 65535, &u) == 0 && u == 8080);
    CHECK(config_parse_uint("65536", 65535, &u) != 0);
    CHECK(config_parse_uint("8x", 65535, &u) != 0);
    CHECK(config_parse_uint("", 65535, &u) != 0);

    setenv("PORT", "9090", 1);
    setenv("CLAIMDB_BODY_LIMIT", "1M", 1);
    struct config cfg;
    CHECK(config_from_env(&cfg) == 0 && cfg.port == 9090 && cfg.body_limit == 1u << 20);
    CHECK(config_set_option(&cfg, "port", "7070") == 0 && cfg.port == 7070);
    CHECK(config_set_option(&cfg, "no-such-option", "1") == 1);
    setenv("PORT", "eighty", 1);
    CHECK(config_from_env(&cfg) == -1);
    unsetenv("PORT");
    unsetenv("CLAIMDB_BODY_LIMIT");
}
