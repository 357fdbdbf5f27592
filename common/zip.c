/*
 * STORED ZIP archives in memory (see zip.h). The archive grows in one byte
 * array; each entry's central-directory record is kept aside until
 * cpt_zip_finish() appends them all, then the end record pointing at them.
 */
#include "zip.h"

#include <string.h>

#define LOCAL_SIG 0x04034b50u
#define CENTRAL_SIG 0x02014b50u
#define END_SIG 0x06054b50u
#define LOCAL_SIZE 30 /* fixed part of a local header */
#define CENTRAL_SIZE 46
#define END_SIZE 22
#define VERSION 20 /* 2.0, what any reader handles; "made by" MS-DOS */
#define METHOD_STORED 0
#define DOS_DATE 0x0021 /* 1980-01-01 */
#define DOS_TIME 0

struct cpt_zip {
	GByteArray *data;    /* local headers and entry bytes */
	GByteArray *central; /* central-directory records */
	size_t count;
};

/* The table is rebuilt per call: 2 KiB of stack and 2 048 steps, nothing
 * beside an archive's copy of its data, and no shared state. */
uint32_t cpt_zip_crc32(const void *data, size_t len)
{
	uint32_t table[256], crc = 0xFFFFFFFFu;
	const unsigned char *p = data;

	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}
	for (size_t i = 0; i < len; i++)
		crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
	return crc ^ 0xFFFFFFFFu;
}

static void put16(GByteArray *b, uint16_t v)
{
	guint8 le[2] = {v & 0xFF, v >> 8};
	g_byte_array_append(b, le, 2);
}

static void put32(GByteArray *b, uint32_t v)
{
	guint8 le[4] = {v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, v >> 24};
	g_byte_array_append(b, le, 4);
}

/* The fields local and central headers share, from "version needed" to
 * "extra field length". */
static void put_common(GByteArray *b, uint32_t crc, uint32_t size, uint16_t name_len)
{
	put16(b, VERSION);
	put16(b, 0); /* flags */
	put16(b, METHOD_STORED);
	put16(b, DOS_TIME);
	put16(b, DOS_DATE);
	put32(b, crc);
	put32(b, size); /* compressed */
	put32(b, size);
	put16(b, name_len);
	put16(b, 0); /* extra field length */
}

cpt_zip *cpt_zip_new(void)
{
	cpt_zip *z = g_new0(cpt_zip, 1);

	z->data = g_byte_array_new();
	z->central = g_byte_array_new();
	return z;
}

void cpt_zip_free(cpt_zip *z)
{
	if (!z)
		return;
	g_byte_array_unref(z->data);
	g_byte_array_unref(z->central);
	g_free(z);
}

bool cpt_zip_add(cpt_zip *z, const char *name, const void *data, size_t len)
{
	size_t name_len = strlen(name);
	uint64_t grown = (uint64_t)z->data->len + z->central->len + LOCAL_SIZE + CENTRAL_SIZE +
			 2 * (uint64_t)name_len + len + END_SIZE;
	uint32_t offset = z->data->len, crc;

	if (name_len > UINT16_MAX || z->count >= CPT_ZIP_MAX_ENTRIES || grown > CPT_ZIP_MAX_SIZE)
		return false;
	crc = cpt_zip_crc32(data, len);

	put32(z->data, LOCAL_SIG);
	put_common(z->data, crc, (uint32_t)len, (uint16_t)name_len);
	g_byte_array_append(z->data, (const guint8 *)name, (guint)name_len);
	g_byte_array_append(z->data, data, (guint)len);

	put32(z->central, CENTRAL_SIG);
	put16(z->central, VERSION); /* made by */
	put_common(z->central, crc, (uint32_t)len, (uint16_t)name_len);
	put16(z->central, 0); /* comment length */
	put16(z->central, 0); /* disk number */
	put16(z->central, 0); /* internal attributes */
	put32(z->central, 0); /* external attributes */
	put32(z->central, offset);
	g_byte_array_append(z->central, (const guint8 *)name, (guint)name_len);
	z->count++;
	return true;
}

GBytes *cpt_zip_finish(cpt_zip *z)
{
	GByteArray *out = z->data;
	uint32_t start = out->len, size = z->central->len;

	g_byte_array_append(out, z->central->data, size);
	put32(out, END_SIG);
	put16(out, 0); /* this disk */
	put16(out, 0); /* disk of the central directory */
	put16(out, (uint16_t)z->count);
	put16(out, (uint16_t)z->count);
	put32(out, size);
	put32(out, start);
	put16(out, 0); /* comment length */
	z->data = NULL;
	g_byte_array_unref(z->central);
	g_free(z);
	return g_byte_array_free_to_bytes(out);
}
