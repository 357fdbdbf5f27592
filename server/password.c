/* scrypt hashing, tokens and temporary passwords; see password.h. */
#include "password.h"

#include <glib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* N = 2^14, r = 8, p = 1: 16 MiB and ~40 ms per hash on the target machine. */
#define SCRYPT_N 16384
#define SCRYPT_R 8
#define SCRYPT_P 1
#define SALT_LEN 16
#define HASH_LEN 32
#define SCRYPT_MAXMEM (64u * 1024 * 1024)

static bool derive(const char *password, const unsigned char *salt, size_t salt_len, uint64_t n,
		   uint64_t r, uint64_t p, unsigned char *out, size_t out_len)
{
	return EVP_PBE_scrypt(password, strlen(password), salt, salt_len, n, r, p, SCRYPT_MAXMEM,
			      out, out_len) == 1;
}

char *cpt_password_hash(const char *password)
{
	unsigned char salt[SALT_LEN], hash[HASH_LEN];
	if (RAND_bytes(salt, sizeof salt) != 1 ||
	    !derive(password, salt, sizeof salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, hash, sizeof hash)) {
		return NULL;
	}
	g_autofree char *s64 = g_base64_encode(salt, sizeof salt);
	g_autofree char *h64 = g_base64_encode(hash, sizeof hash);
	char *out = NULL;
	if (asprintf(&out, "scrypt$%d$%d$%d$%s$%s", SCRYPT_N, SCRYPT_R, SCRYPT_P, s64, h64) < 0) {
		return NULL;
	}
	OPENSSL_cleanse(hash, sizeof hash);
	return out;
}

bool cpt_password_verify(const char *password, const char *stored)
{
	g_auto(GStrv) parts = g_strsplit(stored ? stored : "", "$", 0);
	if (g_strv_length(parts) != 6 || strcmp(parts[0], "scrypt") != 0) {
		return false;
	}
	uint64_t n = g_ascii_strtoull(parts[1], NULL, 10);
	uint64_t r = g_ascii_strtoull(parts[2], NULL, 10);
	uint64_t p = g_ascii_strtoull(parts[3], NULL, 10);
	gsize salt_len = 0, hash_len = 0;
	g_autofree guchar *salt = g_base64_decode(parts[4], &salt_len);
	g_autofree guchar *expect = g_base64_decode(parts[5], &hash_len);
	if (hash_len == 0 || hash_len > 64 || n < 2 || r == 0 || p == 0) {
		return false;
	}
	unsigned char got[64];
	bool ok = derive(password, salt, salt_len, n, r, p, got, hash_len) &&
		  CRYPTO_memcmp(got, expect, hash_len) == 0;
	OPENSSL_cleanse(got, sizeof got);
	return ok;
}

bool cpt_password_temporary(char out[17])
{
	/* No 0/O, 1/l/I: read aloud or copied from paper without mistakes. */
	static const char alphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	unsigned char rnd[16];
	if (RAND_bytes(rnd, sizeof rnd) != 1) {
		return false;
	}
	for (int i = 0; i < 16; i++) {
		out[i] = alphabet[rnd[i] % (sizeof alphabet - 1)];
	}
	out[16] = '\0';
	return true;
}

bool cpt_token_new(char out[CPT_TOKEN_HEX + 1])
{
	unsigned char rnd[CPT_TOKEN_HEX / 2];
	if (RAND_bytes(rnd, sizeof rnd) != 1) {
		return false;
	}
	for (size_t i = 0; i < sizeof rnd; i++) {
		snprintf(out + 2 * i, 3, "%02x", rnd[i]);
	}
	return true;
}

void cpt_token_digest(const char *token, char out[65])
{
	unsigned char d[SHA256_DIGEST_LENGTH];
	SHA256((const unsigned char *)token, strlen(token), d);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	}
}

const char *cpt_password_weakness(const char *password)
{
	size_t chars = g_utf8_strlen(password, -1);
	if (chars < CPT_PASSWORD_MIN) {
		return "au moins 10 caractères";
	}
	if (strlen(password) > CPT_PASSWORD_MAX) {
		return "au plus 256 octets";
	}
	return NULL;
}
