/*
 * Password hashing with scrypt (OpenSSL's EVP_PBE_scrypt), per-user random
 * salt, stored as "scrypt$N$r$p$salt_b64$hash_b64"; verification compares in
 * constant time. Also session tokens and temporary passwords.
 */
#ifndef CPT_PASSWORD_H
#define CPT_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#define CPT_PASSWORD_MIN 10  /* characters */
#define CPT_PASSWORD_MAX 256 /* bytes */
#define CPT_TOKEN_HEX 64     /* 32 random bytes */

/* Hashes password into a malloc'd string; caller frees. NULL on failure. */
char *cpt_password_hash(const char *password);
bool cpt_password_verify(const char *password, const char *stored);
/* Writes a temporary password of 16 unambiguous characters to out[17]. */
bool cpt_password_temporary(char out[17]);
/* Writes a session token: 64 hex chars and a NUL. */
bool cpt_token_new(char out[CPT_TOKEN_HEX + 1]);
/* SHA-256 of the token, as 64 hex chars and a NUL (what the database keeps). */
void cpt_token_digest(const char *token, char out[65]);
/* Why a new password is refused, or NULL when it is acceptable. */
const char *cpt_password_weakness(const char *password);

#endif
