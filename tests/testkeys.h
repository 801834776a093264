/*
 * testkeys.h - key pairs made on the fly for the tests that load or check
 * public keys (OpenSSL's key generation; tests only).
 */
#ifndef GW_TESTKEYS_H
#define GW_TESTKEYS_H

#include <stdbool.h>

/*
 * A fresh key as PEM text (NUL-terminated; caller frees): "rsa:BITS"
 * (e.g. "rsa:2048") or "ec:CURVE" (e.g. "ec:P-256"); the public key
 * ("-----BEGIN PUBLIC KEY-----"), or the private key when private_key is
 * true. Fails the test when the key cannot be made.
 */
char *gw_test_key_pem(const char *spec, bool private_key);

#endif
