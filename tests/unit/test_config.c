/* Configuration parsing: defaults, values, relative paths, errors naming the key. */
#include "config.h"
#include "log.h"

#include <glib.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	/* The pool follows the machine: 2 connections a core, 4 to 16. */
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	assert_int_equal(cfg.pool_size, cores * 2 < 4 ? 4 : cores * 2 > 16 ? 16 : cores * 2);
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

static void mail_settings_default_to_an_unsent_outbox(void **state)
{
	cpt_config cfg;
	cpt_status st = {0};
	assert_int_equal(cpt_config_parse(&cfg, "", NULL, &st), 0);
	assert_string_equal(cfg.mail_smtp_url, "");
	assert_int_equal(cfg.mail_starttls, CPT_STARTTLS_REQUIRED);
	assert_int_equal(cfg.mail_interval, 30);
	assert_int_equal(cfg.mail_retry_delay, 60);
	assert_int_equal(cfg.mail_max_attempts, 10);
	cpt_config_clear(&cfg);
}

static void mail_sender_and_password_file_are_read(void **state)
{
	char dir[] = "/tmp/cpt-config-XXXXXX";
	assert_non_null(mkdtemp(dir));
	g_autofree char *secret = g_build_filename(dir, "smtp.secret", NULL);
	assert_true(g_file_set_contents(secret, "s3cret pass\n", -1, NULL));
	cpt_config cfg;
	cpt_status st = {0};
	int rc =
	    cpt_config_parse(&cfg,
			     "[mail]\nsmtp_url = smtp://mail.example.fr:587\n"
			     "from = \"Société Démo\" <factures@demo.fr>\n"
			     "username = factures\npassword_file = smtp.secret\n"
			     "starttls = try\ninterval = 10\nretry_delay = 5\nmax_attempts = 4\n",
			     dir, &st);
	assert_int_equal(rc, 0);
	assert_string_equal(cfg.mail_from_name, "Société Démo");
	assert_string_equal(cfg.mail_from_address, "factures@demo.fr");
	assert_string_equal(cfg.mail_password, "s3cret pass");
	assert_int_equal(cfg.mail_starttls, CPT_STARTTLS_TRY);
	assert_int_equal(cfg.mail_interval, 10);
	assert_int_equal(cfg.mail_retry_delay, 5);
	assert_int_equal(cfg.mail_max_attempts, 4);
	cpt_config_clear(&cfg);
	assert_int_equal(cpt_config_parse(&cfg, "[mail]\nfrom = factures@demo.fr\n", NULL, &st), 0);
	assert_string_equal(cfg.mail_from_name, "");
	assert_string_equal(cfg.mail_from_address, "factures@demo.fr");
	cpt_config_clear(&cfg);
	unlink(secret);
	rmdir(dir);
}

static void bad_mail_settings_name_the_key(void **state)
{
	struct {
		const char *text, *field;
	} cases[] = {
	    {"[mail]\nsmtp_url = http://mail.example.fr\nfrom = a@b.fr\n", "mail.smtp_url"},
	    {"[mail]\nsmtp_url = smtp://mail.example.fr\n", "mail.from"},
	    {"[mail]\nfrom = pas une adresse\n", "mail.from"},
	    {"[mail]\nfrom = Nom <a@b.fr\n", "mail.from"},
	    {"[mail]\nstarttls = maybe\n", "mail.starttls"},
	    {"[mail]\ninterval = 0\n", "mail.interval"},
	    {"[mail]\nmax_attempts = 101\n", "mail.max_attempts"},
	    {"[mail]\npassword = x\npassword_file = /etc/passwd\n", "mail.password_file"},
	    {"[mail]\npassword_file = /nonexistent/secret\n", "mail.password_file"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cpt_config cfg;
		cpt_status st = {0};
		assert_int_equal(cpt_config_parse(&cfg, cases[i].text, NULL, &st),
				 CPT_INVALID_ARGUMENT);
		assert_string_equal(st.field, cases[i].field);
		cpt_config_clear(&cfg);
	}
}

static void mail_addresses_are_plain_and_ascii(void **state)
{
	assert_true(cpt_config_mail_address_ok("h.martin+factures@ecole-lumiere.fr"));
	assert_false(cpt_config_mail_address_ok(""));
	assert_false(cpt_config_mail_address_ok("sans-arobase.fr"));
	assert_false(cpt_config_mail_address_ok("a@@b.fr"));
	assert_false(cpt_config_mail_address_ok("@b.fr"));
	assert_false(cpt_config_mail_address_ok("a@"));
	assert_false(cpt_config_mail_address_ok("a b@c.fr"));
	assert_false(cpt_config_mail_address_ok("a@c.fr\r\nBcc: x@y.fr"));
	assert_false(cpt_config_mail_address_ok("<a@c.fr>"));
	assert_false(cpt_config_mail_address_ok("hélène@c.fr"));
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
	    cmocka_unit_test(mail_settings_default_to_an_unsent_outbox),
	    cmocka_unit_test(mail_sender_and_password_file_are_read),
	    cmocka_unit_test(bad_mail_settings_name_the_key),
	    cmocka_unit_test(mail_addresses_are_plain_and_ascii),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
