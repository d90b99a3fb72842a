/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Settings, from lowest to highest precedence: built-in defaults, the
 * config file (--config), Qdrant's environment variables, command-line
 * flags. The file is "key = value" lines; keys are the long flag names
 * (dashes or underscores), '#' starts a comment.
 */
#ifndef VEXFS_GATEWAY_CONFIG_H
#define VEXFS_GATEWAY_CONFIG_H

#include <stdio.h>

#include "gateway.h"

#define GW_DEFAULT_CONFIG "/etc/vexfs/gateway.conf"

/* Built-in defaults (threads: online CPUs). */
void gw_config_defaults(struct gw_config *cfg);

/*
 * Set one option by its long flag name; 0, -ENOENT (no such option) or
 * -EINVAL (bad value). @value must outlive @cfg.
 */
int gw_config_set(struct gw_config *cfg, const char *name, const char *value);

/* Read a config file over @cfg; errors name the file and line. */
int gw_config_load(struct gw_config *cfg, const char *path);

/* QDRANT__SERVICE__* variables; -EINVAL names the bad one on stderr. */
int gw_config_env(struct gw_config *cfg);

/* After all sources: empty keys mean none, as in Qdrant. */
void gw_config_finish(struct gw_config *cfg);

void gw_config_free(struct gw_config *cfg);

#endif
