/*
 * What the workstation remembers between runs, under the user's config
 * folder (~/.config/comptoir): the last server and login (client.ini), and
 * the pinned certificate of each server (known_hosts, one "host:port
 * FINGERPRINT" per line, like ssh's).
 */
#ifndef CPT_SETTINGS_H
#define CPT_SETTINGS_H

#include <glib.h>

/* Caller g_free()s the strings. */
char *cpt_settings_get_string(const char *key, const char *fallback);
int cpt_settings_get_int(const char *key, int fallback);
void cpt_settings_set_string(const char *key, const char *value);
void cpt_settings_set_int(const char *key, int value);

/* The pinned fingerprint for host:port, or NULL. Caller g_free()s. */
char *cpt_known_host_get(const char *host, int port);
/* Pins fingerprint for host:port, replacing any previous one. */
gboolean cpt_known_host_set(const char *host, int port, const char *fingerprint);

#endif
