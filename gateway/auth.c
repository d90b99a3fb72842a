// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include <event2/http.h>

#include "auth.h"
#include "gateway.h"

bool gw_auth_enabled(const struct gw_config *cfg)
{
	return cfg->api_key || cfg->ro_api_key;
}

/* Compare without an early exit, so timing does not reveal a prefix. */
static bool key_equal(const char *want, const char *got)
{
	size_t n = strlen(want), i;
	unsigned char diff;

	if (!want[0] || strlen(got) != n)
		return false;
	diff = 0;
	for (i = 0; i < n; i++)
		diff |= (unsigned char)want[i] ^ (unsigned char)got[i];
	return diff == 0;
}

enum gw_auth gw_auth_check(const struct gw_config *cfg,
			   struct evhttp_request *ev)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(ev);
	const char *key;

	if (!gw_auth_enabled(cfg))
		return GW_AUTH_FULL;
	key = evhttp_find_header(h, "api-key");
	if (!key) {
		key = evhttp_find_header(h, "Authorization");
		if (key && !strncmp(key, "Bearer ", 7))
			key += 7;
		else
			key = NULL;
	}
	if (!key)
		return GW_AUTH_MISSING;
	if (cfg->api_key && key_equal(cfg->api_key, key))
		return GW_AUTH_FULL;
	if (cfg->ro_api_key && key_equal(cfg->ro_api_key, key))
		return GW_AUTH_READ;
	return GW_AUTH_INVALID;
}
