/*
 * E-mail headers as the outbox writes them: plain ASCII kept, anything else
 * in RFC 2047 words of at most 75 characters that never split a character
 * and fold under 78 per line, dates in RFC 5322 form, line ends made CRLF.
 */
#include "mail_smtp.h"

#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

/* Decodes what cpt_mail_header_encode wrote: its words, unfolded. */
static char *decode(const char *encoded)
{
	GString *out = g_string_new(NULL);
	g_auto(GStrv) lines = g_strsplit(encoded, "\r\n ", -1);
	for (char **l = lines; *l; l++) {
		assert_true(g_str_has_prefix(*l, "=?UTF-8?B?"));
		assert_true(g_str_has_suffix(*l, "?="));
		assert_true(strlen(*l) <= 75);
		g_autofree char *b64 = g_strndup(*l + 10, strlen(*l) - 12);
		gsize n = 0;
		g_autofree guchar *raw = g_base64_decode(b64, &n);
		/* Each word alone is whole UTF-8: no character cut in two. */
		assert_true(g_utf8_validate((const char *)raw, (gssize)n, NULL));
		g_string_append_len(out, (const char *)raw, (gssize)n);
	}
	return g_string_free(out, FALSE);
}

static void plain_ascii_stays_as_it_is(void **state)
{
	g_autofree char *s = cpt_mail_header_encode("Facture FA-2025-0042", strlen("Subject"));
	assert_string_equal(s, "Facture FA-2025-0042");
}

static void accented_text_becomes_encoded_words(void **state)
{
	const char *text = "Échéance dépassée : 1 234,56 € à régler";
	g_autofree char *s = cpt_mail_header_encode(text, strlen("Subject"));
	assert_true(g_str_has_prefix(s, "=?UTF-8?B?"));
	g_autofree char *back = decode(s);
	assert_string_equal(back, text);
}

static void long_text_folds_and_never_splits_a_character(void **state)
{
	GString *t = g_string_new(NULL);
	for (int i = 0; i < 60; i++) {
		g_string_append(t, "é€✓"); /* 2, 3 and 3 bytes */
	}
	g_autofree char *s = cpt_mail_header_encode(t->str, strlen("Subject"));
	g_auto(GStrv) lines = g_strsplit(s, "\r\n", -1);
	assert_true(g_strv_length(lines) > 5);
	assert_true(strlen("Subject: ") + strlen(lines[0]) <= 78);
	for (char **l = lines + 1; *l; l++) {
		assert_true((*l)[0] == ' ');
		assert_true(strlen(*l) <= 78);
	}
	g_autofree char *back = decode(s);
	assert_string_equal(back, t->str);
	g_string_free(t, TRUE);
}

static void long_ascii_folds_at_spaces(void **state)
{
	const char *text = "Relance : factures FA-2025-0042 du 30 juin, FA-2025-0043 du 31 "
			   "juillet et FA-2025-0044 du 31 aout restent dues";
	g_autofree char *s = cpt_mail_header_encode(text, strlen("Subject"));
	g_auto(GStrv) lines = g_strsplit(s, "\r\n", -1);
	assert_int_equal(g_strv_length(lines), 2);
	assert_true(strlen("Subject: ") + strlen(lines[0]) <= 78);
	assert_true(lines[1][0] == ' ');
	g_autofree char *joined = g_strjoinv("", lines);
	assert_string_equal(joined, text);
}

static void control_characters_are_encoded_not_passed(void **state)
{
	g_autofree char *s = cpt_mail_header_encode("Objet\tavec tabulation", 7);
	assert_null(strchr(s, '\t'));
	g_autofree char *back = decode(s);
	assert_string_equal(back, "Objet\tavec tabulation");
}

static void date_is_rfc5322(void **state)
{
	setenv("TZ", "Europe/Paris", 1);
	tzset();
	char buf[64];
	cpt_mail_date(1782900000, buf, sizeof buf); /* 2026-07-01 10:00:00 UTC */
	assert_string_equal(buf, "Wed, 01 Jul 2026 12:00:00 +0200");
	cpt_mail_date(1767225600, buf, sizeof buf); /* 2026-01-01 00:00:00 UTC */
	assert_string_equal(buf, "Thu, 01 Jan 2026 01:00:00 +0100");
}

static void line_ends_become_crlf(void **state)
{
	g_autofree char *s = cpt_mail_crlf("a\nb\r\nc\rd\n");
	assert_string_equal(s, "a\r\nb\r\nc\r\nd\r\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(plain_ascii_stays_as_it_is),
	    cmocka_unit_test(accented_text_becomes_encoded_words),
	    cmocka_unit_test(long_text_folds_and_never_splits_a_character),
	    cmocka_unit_test(long_ascii_folds_at_spaces),
	    cmocka_unit_test(control_characters_are_encoded_not_passed),
	    cmocka_unit_test(date_is_rfc5322),
	    cmocka_unit_test(line_ends_become_crlf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
