/*
 * A ZIP archive writer for the few files an export bundles (an XLSX is one):
 * entries are STORED, without compression, so that no library is needed and
 * the bytes are written once. The archive is built in memory: local header
 * and data per entry, then the central directory and the end record
 * (PKWARE APPNOTE 4.3, no ZIP64). Entries carry a fixed date, 1980-01-01, so
 * that the same entries give the same bytes.
 */
#ifndef CPT_ZIP_H
#define CPT_ZIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#define CPT_ZIP_MAX_ENTRIES 65535
#define CPT_ZIP_MAX_SIZE 0xFFFFFFFFu /* bytes of the whole archive, without ZIP64 */

typedef struct cpt_zip cpt_zip;

/* Caller frees with cpt_zip_finish() or cpt_zip_free(). */
cpt_zip *cpt_zip_new(void);

/*
 * Appends an entry named name (ASCII, "/" between folders, at most 65535
 * bytes) holding len bytes of data, copied. False, with the archive
 * unchanged, when the name is too long, the archive already holds
 * CPT_ZIP_MAX_ENTRIES entries or would grow past CPT_ZIP_MAX_SIZE.
 */
bool cpt_zip_add(cpt_zip *z, const char *name, const void *data, size_t len);

/* Writes the central directory and frees z. Caller frees the bytes with
 * g_bytes_unref(). */
GBytes *cpt_zip_finish(cpt_zip *z);

/* Abandons an archive. z may be NULL. */
void cpt_zip_free(cpt_zip *z);

/* CRC-32 as ZIP, PNG and Ethernet use it (reflected, polynomial 0xEDB88320):
 * "123456789" gives 0xCBF43926. */
uint32_t cpt_zip_crc32(const void *data, size_t len);

#endif
