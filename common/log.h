/*
 * Timestamped, levelled log lines on stderr:
 *   2026-11-25T18:02:11.123Z INFO  listening on 127.0.0.1:7410
 * Never pass a password or a session token: nothing here scrubs them.
 */
#ifndef CPT_LOG_H
#define CPT_LOG_H

enum cpt_log_level { CPT_LOG_DEBUG, CPT_LOG_INFO, CPT_LOG_WARN, CPT_LOG_ERROR };

void cpt_log_set_level(int level);
/* Parses "debug", "info", "warn", "error"; returns -1 if unknown. */
int cpt_log_level_parse(const char *name);
void cpt_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define cpt_debug(...) cpt_log(CPT_LOG_DEBUG, __VA_ARGS__)
#define cpt_info(...) cpt_log(CPT_LOG_INFO, __VA_ARGS__)
#define cpt_warn(...) cpt_log(CPT_LOG_WARN, __VA_ARGS__)
#define cpt_error(...) cpt_log(CPT_LOG_ERROR, __VA_ARGS__)

#endif
