/* Configuration parsing: defaults, values, relative paths, errors naming the key. */
#include "config.h"
#include "log.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

static void empty_file_gives_the_defaults(void **state)
{
	cpt_config cfg;
	cpt_status st = {0};
	assert_int_equal(cpt_config_parse(&cfg, "", "/etc/comptoir", &st), 0);
	assert_int_equal(cfg.port, 7410);
	assert_string_equal(cfg.listen, "127.0.0.1");
	assert_int_equal(cfg.max_frame, 16u * 1024 * 1024);
	assert_int_equal(cfg.lockout_attempts, 5);
	assert_int_equal(cfg.lockout_window, 900);
	assert_int_equal(cfg.max_document, 10u * 1024 * 1024);
	cpt_config_clear(&cfg);
}

static void document_limit_stays_inside_a_frame(void **state)
{
	cpt_config cfg;
	cpt_status st = {0};
	assert_int_equal(cpt_config_parse(&cfg, "[server]\nmax_document = 1048576\n", NULL, &st),
			 0);
	assert_int_equal(cfg.max_document, 1048576);
	cpt_config_clear(&cfg);
	/* The whole 16 Mio frame is not for the document: the envelope needs room. */
	assert_int_equal(cpt_config_parse(&cfg, "[server]\nmax_document = 16777216\n", NULL, &st),
			 CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "server.max_document");
	assert_int_equal(cfg.max_document, 10u * 1024 * 1024);
	cpt_config_clear(&cfg);
	/* A larger server frame does not help: workstations read 16 Mio at most. */
	assert_int_equal(cpt_config_parse(&cfg,
					  "[server]\nmax_frame = 67108864\n"
					  "max_document = 33554432\n",
					  NULL, &st),
			 CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "server.max_document");
	cpt_config_clear(&cfg);
	assert_int_equal(cpt_config_parse(&cfg,
					  "[server]\nmax_frame = 2097152\nmax_document = 2097152\n",
					  NULL, &st),
			 CPT_INVALID_ARGUMENT);
	cpt_config_clear(&cfg);
	/* Left to its default, the limit follows a smaller frame. */
	assert_int_equal(cpt_config_parse(&cfg, "[server]\nmax_frame = 1048576\n", NULL, &st), 0);
	assert_int_equal(cfg.max_document, 1048576 - 65536);
	cpt_config_clear(&cfg);
	assert_int_equal(cpt_config_parse(&cfg, "[server]\nmax_document = 0\n", NULL, &st),
			 CPT_INVALID_ARGUMENT);
	cpt_config_clear(&cfg);
}

static void values_are_read_and_relative_paths_resolved(void **state)
{
	cpt_config cfg;
	cpt_status st = {0};
	const char *text = "[server]\nport = 7500\ncertificate = tls/server.crt\n"
			   "private_key = /srv/key.pem\n"
			   "[database]\nconninfo = host=db dbname=x user=comptoir\npool_size = 12\n"
			   "[security]\nlockout_attempts = 3\n[log]\nlevel = debug\n";
	assert_int_equal(cpt_config_parse(&cfg, text, "/etc/comptoir", &st), 0);
	assert_int_equal(cfg.port, 7500);
	assert_string_equal(cfg.certificate, "/etc/comptoir/tls/server.crt");
	assert_string_equal(cfg.private_key, "/srv/key.pem");
	assert_string_equal(cfg.conninfo, "host=db dbname=x user=comptoir");
	assert_int_equal(cfg.pool_size, 12);
	assert_int_equal(cfg.lockout_attempts, 3);
	assert_int_equal(cfg.log_level, CPT_LOG_DEBUG);
	cpt_config_clear(&cfg);
}

static void out_of_range_port_is_refused_naming_the_key(void **state)
{
	cpt_config cfg;
	cpt_status st = {0};
	assert_int_equal(cpt_config_parse(&cfg, "[server]\nport = 70000\n", NULL, &st),
			 CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "server.port");
	assert_non_null(strstr(st.message, "port"));
	assert_int_equal(cfg.port, 7410); /* defaults left intact */
	cpt_config_clear(&cfg);
}

static void non_numbers_and_negatives_are_refused(void **state)
{
	const char *bad[] = {"[database]\npool_size = douze\n", "[database]\npool_size = -1\n",
			     "[database]\npool_size = 0\n", "[server]\nmax_frame = 12abc\n",
			     "[security]\nlockout_window = \n"};
	const char *fields[] = {"database.pool_size", "database.pool_size", "database.pool_size",
				"server.max_frame", "security.lockout_window"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cpt_config cfg;
		cpt_status st = {0};
		assert_int_equal(cpt_config_parse(&cfg, bad[i], NULL, &st), CPT_INVALID_ARGUMENT);
		assert_string_equal(st.field, fields[i]);
		cpt_config_clear(&cfg);
	}
}

static void unknown_log_level_is_refused(void **state)
{
	cpt_config cfg;
	cpt_status st = {0};
	assert_int_equal(cpt_config_parse(&cfg, "[log]\nlevel = bavard\n", NULL, &st),
			 CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "log.level");
	cpt_config_clear(&cfg);
}

static void malformed_file_is_refused(void **state)
{
	cpt_config cfg;
	cpt_status st = {0};
	assert_int_equal(cpt_config_parse(&cfg, "port = 7410 without a group\n", NULL, &st),
			 CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "config");
	cpt_config_clear(&cfg);
}

static void missing_file_is_reported(void **state)
{
	cpt_config cfg;
	cpt_status st = {0};
	assert_int_equal(cpt_config_load(&cfg, "/nonexistent/comptoird.conf", &st), CPT_NOT_FOUND);
	assert_non_null(strstr(st.message, "/nonexistent/comptoird.conf"));
	cpt_config_clear(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(empty_file_gives_the_defaults),
	    cmocka_unit_test(document_limit_stays_inside_a_frame),
	    cmocka_unit_test(values_are_read_and_relative_paths_resolved),
	    cmocka_unit_test(out_of_range_port_is_refused_naming_the_key),
	    cmocka_unit_test(non_numbers_and_negatives_are_refused),
	    cmocka_unit_test(unknown_log_level_is_refused),
	    cmocka_unit_test(malformed_file_is_refused),
	    cmocka_unit_test(missing_file_is_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
