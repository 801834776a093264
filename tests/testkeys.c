/*
 * testkeys.c - key pairs for tests (see testkeys.h).
 */
#include "testkeys.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

static EVP_PKEY *keygen(const char *spec)
{
	if (strncmp(spec, "rsa:", 4) == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)strtoul(spec + 4, NULL, 10));
	if (strncmp(spec, "ec:", 3) == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", spec + 3);
	return NULL;
}

char *gw_test_key_pem(const char *spec, bool private_key)
{
	EVP_PKEY *key = keygen(spec);
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL;
	char *pem;
	long len;
	int ok;

	ck_assert_msg(key != NULL && bio != NULL, "cannot make a %s key", spec);
	ok = private_key ? PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL)
			 : PEM_write_bio_PUBKEY(bio, key);
	ck_assert_int_eq(ok, 1);
	len = BIO_get_mem_data(bio, &data);
	ck_assert(len > 0 && data != NULL);
	/* not strndup: the BIO's data has no NUL for it to stop at */
	pem = malloc((size_t)len + 1);
	ck_assert_ptr_nonnull(pem);
	memcpy(pem, data, (size_t)len);
	pem[len] = '\0';
	BIO_free(bio);
	EVP_PKEY_free(key);
	return pem;
}
