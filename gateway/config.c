// SPDX-License-Identifier: GPL-2.0
/*
 * Option values from the config file, the environment and the flags, all
 * through gw_config_set(), so each is validated the same way everywhere.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#define CONFIG_FILE_MAX (1u << 20) /* a config file is a few lines */

void gw_config_defaults(struct gw_config *cfg)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	*cfg = (struct gw_config){
		.host = GW_DEFAULT_HOST,
		.port = GW_DEFAULT_PORT,
		.threads = cpus > 0 ? (unsigned int)cpus : 1,
		.max_body = GW_DEFAULT_MAX_BODY,
		.mount = GW_DEFAULT_MOUNT,
		.shutdown_timeout = GW_DEFAULT_SHUTDOWN_TIMEOUT,
	};
}

/* Strict unsigned parse with an optional binary K/M/G/T suffix. */
static int parse_size(const char *s, unsigned long long max, bool suffix,
		      unsigned long long *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (suffix && *end) {
		switch (*end++) {
		case 'k':
		case 'K':
			shift = 10;
			break;
		case 'm':
		case 'M':
			shift = 20;
			break;
		case 'g':
		case 'G':
			shift = 30;
			break;
		case 't':
		case 'T':
			shift = 40;
			break;
		default:
			return -EINVAL;
		}
		if (v > (max >> shift))
			return -EINVAL;
		v <<= shift;
	}
	if (*end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* "read_only_api_key" and "read-only-api-key" name the same option. */
static bool name_is(const char *name, const char *want)
{
	for (; *name && *want; name++, want++) {
		char c = *name == '_' ? '-' : *name;

		if (c != *want)
			return false;
	}
	return !*name && !*want;
}

int gw_config_set(struct gw_config *cfg, const char *name, const char *value)
{
	unsigned long long v;

	if (name_is(name, "host")) {
		if (!*value)
			return -EINVAL;
		cfg->host = value;
	} else if (name_is(name, "port")) {
		if (parse_size(value, 65535, false, &v))
			return -EINVAL;
		cfg->port = v;
	} else if (name_is(name, "threads")) {
		if (parse_size(value, 1024, false, &v) || !v)
			return -EINVAL;
		cfg->threads = v;
	} else if (name_is(name, "api-key")) {
		cfg->api_key = value;
	} else if (name_is(name, "read-only-api-key")) {
		cfg->ro_api_key = value;
	} else if (name_is(name, "max-body")) {
		/* evhttp takes an ev_ssize_t */
		if (parse_size(value, SSIZE_MAX, true, &v) || !v)
			return -EINVAL;
		cfg->max_body = v;
	} else if (name_is(name, "backend")) {
		if (strcmp(value, "kernel") && strcmp(value, "embedded") &&
		    strcmp(value, "none"))
			return -EINVAL;
		cfg->backend = value;
	} else if (name_is(name, "mount")) {
		if (!*value)
			return -EINVAL;
		cfg->mount = value;
	} else if (name_is(name, "data")) {
		if (!*value)
			return -EINVAL;
		cfg->data = value;
	} else if (name_is(name, "data-size")) {
		if (parse_size(value, 1ULL << 50, true, &v) || !v)
			return -EINVAL;
		cfg->data_size = v;
	} else if (name_is(name, "shutdown-timeout")) {
		if (parse_size(value, 3600, false, &v))
			return -EINVAL;
		cfg->shutdown_timeout = v;
	} else {
		return -ENOENT;
	}
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int read_all(const char *path, char **out)
{
	FILE *f = fopen(path, "re");
	size_t n;
	char *buf;

	if (!f)
		return -errno;
	buf = malloc(CONFIG_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, CONFIG_FILE_MAX + 1, f);
	if (ferror(f) || n > CONFIG_FILE_MAX) {
		int err = ferror(f) ? -EIO : -EFBIG;

		fclose(f);
		free(buf);
		return err;
	}
	fclose(f);
	buf[n] = '\0';
	if (strlen(buf) != n) {
		free(buf);
		return -EINVAL; /* a NUL byte: not a text file */
	}
	*out = buf;
	return 0;
}

int gw_config_load(struct gw_config *cfg, const char *path)
{
	char *buf = NULL, *line, *next;
	unsigned int lineno = 0;
	int err;

	err = read_all(path, &buf);
	if (err) {
		fprintf(stderr, "vexfs-gateway: config %s: %s\n", path,
			strerror(-err));
		return err;
	}
	free(cfg->file_buf);
	cfg->file_buf = buf;
	for (line = buf; line; line = next) {
		char *eq, *key, *val, *hash;
		size_t vlen;

		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		/* A '#' starts a comment unless inside a quoted value. */
		eq = strchr(line, '=');
		hash = strchr(line, '#');
		if (hash && (!eq || hash < eq)) {
			*hash = '\0';
			eq = NULL;
		}
		key = trim(line);
		if (!*key)
			continue;
		if (!eq) {
			fprintf(stderr,
				"vexfs-gateway: config %s:%u: expected key = value\n",
				path, lineno);
			return -EINVAL;
		}
		*eq = '\0';
		key = trim(key);
		val = trim(eq + 1);
		vlen = strlen(val);
		if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
			val[vlen - 1] = '\0';
			val++;
		} else {
			hash = strchr(val, '#');
			if (hash) {
				*hash = '\0';
				val = trim(val);
			}
		}
		err = gw_config_set(cfg, key, val);
		if (err) {
			fprintf(stderr,
				"vexfs-gateway: config %s:%u: %s '%s'\n", path,
				lineno,
				err == -ENOENT ? "unknown key" :
						 "invalid value for",
				key);
			return -EINVAL;
		}
	}
	return 0;
}

/* Qdrant's names for the settings both servers have. */
static const struct {
	const char *env, *option;
} env_map[] = {
	{ "QDRANT__SERVICE__HOST", "host" },
	{ "QDRANT__SERVICE__HTTP_PORT", "port" },
	{ "QDRANT__SERVICE__API_KEY", "api-key" },
	{ "QDRANT__SERVICE__READ_ONLY_API_KEY", "read-only-api-key" },
};

int gw_config_env(struct gw_config *cfg)
{
	unsigned long long mb;
	const char *v;
	size_t i;

	for (i = 0; i < sizeof(env_map) / sizeof(env_map[0]); i++) {
		v = getenv(env_map[i].env);
		if (!v)
			continue;
		if (gw_config_set(cfg, env_map[i].option, v)) {
			fprintf(stderr,
				"vexfs-gateway: invalid value '%s' in %s\n", v,
				env_map[i].env);
			return -EINVAL;
		}
	}
	/* Qdrant counts the body limit in MB. */
	v = getenv("QDRANT__SERVICE__MAX_REQUEST_SIZE_MB");
	if (v) {
		if (parse_size(v, SSIZE_MAX >> 20, false, &mb) || !mb) {
			fprintf(stderr,
				"vexfs-gateway: invalid value '%s' in QDRANT__SERVICE__MAX_REQUEST_SIZE_MB\n",
				v);
			return -EINVAL;
		}
		cfg->max_body = mb << 20;
	}
	return 0;
}

void gw_config_finish(struct gw_config *cfg)
{
	if (cfg->api_key && !cfg->api_key[0])
		cfg->api_key = NULL;
	if (cfg->ro_api_key && !cfg->ro_api_key[0])
		cfg->ro_api_key = NULL;
}

void gw_config_free(struct gw_config *cfg)
{
	free(cfg->file_buf);
	cfg->file_buf = NULL;
}
