/* `vnt certs`: a CA directory and the certificates it issues (pki.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "runtime/proto/pki.h"

/* Certificates start an hour in the past: hosts' clocks disagree. */
#define BACKDATE_S 3600

bool vnt_pki_dns_name_ok(const char *s)
{
	size_t len = strlen(s), label = 0;
	if (!len || len > 253)
		return false;
	for (size_t i = 0; i <= len; i++) {
		char c = s[i];
		if (c == '.' || !c) {
			/* empty label, or one that begins or ends with '-' */
			if (!label || s[i - 1] == '-' || s[i - label] == '-')
				return false;
			label = 0;
			continue;
		}
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
		if (!ok || ++label > 63)
			return false;
	}
	return true;
}

bool vnt_pki_ip_ok(const char *a)
{
	unsigned char b[16];
	return inet_pton(AF_INET, a, b) == 1 || inet_pton(AF_INET6, a, b) == 1;
}

/* The OpenSSL error queue's last reason, or "" (emptied). */
static const char *ssl_reason(void)
{
	static char buf[300];
	unsigned long e, last = 0;
	while ((e = ERR_get_error()) != 0)
		last = e;
	buf[0] = '\0';
	if (last) {
		char s[256];
		ERR_error_string_n(last, s, sizeof(s));
		const char *r = strrchr(s, ':');
		snprintf(buf, sizeof(buf), ": %s", r ? r + 1 : s);
	}
	return buf;
}

static int add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	if (!e)
		return -1;
	int ok = X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok ? 0 : -1;
}

/* A certificate for `key` named CN=cn, valid `days`, with a random
 * 127-bit serial (RFC 5280: positive, at most 20 octets), unsigned. */
static X509 *cert_new(EVP_PKEY *key, const char *cn, const X509_NAME *issuer, int days)
{
	X509 *x = X509_new();
	unsigned char rnd[16];
	BIGNUM *bn = NULL;
	ASN1_INTEGER *serial = NULL;
	if (!x || X509_set_version(x, X509_VERSION_3) != 1 || RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto fail;
	rnd[0] &= 0x7f;
	bn = BN_bin2bn(rnd, sizeof(rnd), NULL);
	serial = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
	if (!serial || X509_set_serialNumber(x, serial) != 1)
		goto fail;
	X509_NAME *subj = X509_get_subject_name(x);
	if (X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, issuer ? issuer : subj) != 1 ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -BACKDATE_S) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) || X509_set_pubkey(x, key) != 1)
		goto fail;
	BN_free(bn);
	ASN1_INTEGER_free(serial);
	return x;
fail:
	BN_free(bn);
	ASN1_INTEGER_free(serial);
	X509_free(x);
	return NULL;
}

/* Write a PEM file that must not exist yet (O_EXCL), with mode. Errors
 * name `shown`, the file the user asked for, not the temporary one. */
static int write_pem(const char *path, const char *shown, mode_t mode, EVP_PKEY *key, X509 *cert, char *err,
		     size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", shown, strerror(errno));
		return -1;
	}
	FILE *f = fdopen(fd, "w");
	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", shown, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	errno = 0;
	bool ok = key ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1 : PEM_write_X509(f, cert) == 1;
	ok = ok && fflush(f) == 0 && fsync(fd) == 0;
	int e = errno;
	if (fclose(f))
		ok = false, e = e ? e : errno;
	if (!ok) {
		snprintf(err, errlen, "cannot write %s: %s", shown, e ? strerror(e) : "OpenSSL failed");
		unlink(path);
		return -1;
	}
	return 0;
}

/* rename(2) that never replaces what is at `to` (a file, or an empty
 * directory, which plain rename would silently replace). */
static int place(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* A file system without RENAME_NOREPLACE: check, then rename. */
	struct stat st;
	if (lstat(to, &st) == 0) {
		errno = EEXIST;
		return -1;
	}
	return rename(from, to);
}

/* "dir" without trailing slashes, into buf. */
static int clean_dir(const char *dir, char *buf, size_t len, char *err, size_t errlen)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (!n || n + 32 >= len) {
		snprintf(err, errlen, "bad directory name '%s'", dir);
		return -1;
	}
	memcpy(buf, dir, n);
	buf[n] = '\0';
	return 0;
}

int vnt_pki_init(const char *dir_arg, int days, char *err, size_t errlen)
{
	char dir[PATH_MAX], tmp[PATH_MAX + 16], kpath[PATH_MAX + 32], cpath[PATH_MAX + 32], shown[PATH_MAX + 16];
	struct stat st;
	if (clean_dir(dir_arg, dir, sizeof(dir), err, errlen))
		return -1;
	if (lstat(dir, &st) == 0) {
		snprintf(err, errlen,
			 "%s already exists; a CA directory is made new, never reused or overwritten "
			 "(to issue a certificate from it: vnt certs issue %s NAME)",
			 dir, dir);
		return -1;
	}
	if (errno != ENOENT) {
		snprintf(err, errlen, "cannot use %s: %s", dir, strerror(errno));
		return -1;
	}
	/* Everything goes into a temporary directory beside DIR, renamed to
	 * DIR once complete: DIR exists whole or not at all. */
	snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", dir);
	if (!mkdtemp(tmp)) {
		snprintf(err, errlen, "cannot create %s: %s (its parent directory must exist and be writable)", dir,
			 strerror(errno));
		return -1;
	}
	snprintf(kpath, sizeof(kpath), "%s/ca.key", tmp);
	snprintf(cpath, sizeof(cpath), "%s/ca.crt", tmp);
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = key ? cert_new(key, "vNetTracer CA", NULL, days) : NULL;
	X509V3_CTX ctx;
	int rc = -1;
	if (x) {
		X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
		if (add_ext(x, &ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
		    add_ext(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign") ||
		    add_ext(x, &ctx, NID_subject_key_identifier, "hash") || X509_sign(x, key, EVP_sha256()) <= 0) {
			X509_free(x);
			x = NULL;
		}
	}
	if (!x) {
		snprintf(err, errlen, "cannot make the CA certificate%s", ssl_reason());
		goto out;
	}
	snprintf(shown, sizeof(shown), "%s/ca.key", dir);
	if (write_pem(kpath, shown, 0600, key, NULL, err, errlen))
		goto out;
	snprintf(shown, sizeof(shown), "%s/ca.crt", dir);
	if (write_pem(cpath, shown, 0644, NULL, x, err, errlen))
		goto out;
	if (place(tmp, dir)) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (rc) {
		unlink(kpath);
		unlink(cpath);
		rmdir(tmp);
	}
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

/* DIR/ca.crt and DIR/ca.key, checked to be a CA and its key. */
static int load_ca(const char *dir, X509 **cert, EVP_PKEY **key, char *err, size_t errlen)
{
	char path[PATH_MAX + 16];
	*cert = NULL;
	*key = NULL;
	snprintf(path, sizeof(path), "%s/ca.crt", dir);
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot read %s: %s (%s)", path, strerror(errno),
			 errno == ENOENT ? "make a CA directory first: vnt certs init DIR" : "is it a CA directory?");
		return -1;
	}
	*cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!*cert) {
		snprintf(err, errlen, "%s is not a PEM certificate%s", path, ssl_reason());
		return -1;
	}
	if (X509_check_ca(*cert) != 1) {
		snprintf(err, errlen, "%s is not a CA certificate (no basicConstraints CA:TRUE)", path);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/ca.key", dir);
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot read %s: %s (the CA's key stays where `vnt certs init` made it)", path,
			 strerror(errno));
		return -1;
	}
	*key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!*key) {
		snprintf(err, errlen, "%s is not an unencrypted PEM private key%s", path, ssl_reason());
		return -1;
	}
	if (X509_check_private_key(*cert, *key) != 1) {
		ERR_clear_error();
		snprintf(err, errlen, "%s/ca.key does not belong to %s/ca.crt", dir, dir);
		return -1;
	}
	return 0;
}

/* "DNS:name" or "IP:name", then ",IP:addr" for each extra address. */
static char *san_value(const char *name, const char *const *ips, int nips)
{
	size_t n = strlen(name) + 8;
	for (int i = 0; i < nips; i++)
		n += strlen(ips[i]) + 4;
	char *s = malloc(n);
	if (!s)
		return NULL;
	size_t k = (size_t)snprintf(s, n, "%s:%s", vnt_pki_ip_ok(name) ? "IP" : "DNS", name);
	for (int i = 0; i < nips; i++)
		k += (size_t)snprintf(s + k, n - k, ",IP:%s", ips[i]);
	return s;
}

int vnt_pki_issue(const char *dir_arg, const char *name, const char *const *ips, int nips, int days, char *err,
		  size_t errlen)
{
	char dir[PATH_MAX], kpath[PATH_MAX + 300], cpath[PATH_MAX + 300], ktmp[PATH_MAX + 300] = "",
					  ctmp[PATH_MAX + 300] = "";
	struct stat st;
	if (clean_dir(dir_arg, dir, sizeof(dir), err, errlen))
		return -1;
	if (!vnt_pki_dns_name_ok(name) && !vnt_pki_ip_ok(name)) {
		snprintf(err, errlen,
			 "'%s' is not a valid DNS name or IP address (letters, digits and '-' in labels of at most "
			 "63 characters, separated by '.'); it must be the name the dispatcher's hosts file gives "
			 "the host",
			 name);
		return -1;
	}
	if (!strcmp(name, "ca")) {
		snprintf(err, errlen, "'ca' is the name of the CA's own files in %s; choose another name", dir);
		return -1;
	}
	for (int i = 0; i < nips; i++)
		if (!vnt_pki_ip_ok(ips[i])) {
			snprintf(err, errlen, "--ip '%s' is not an IPv4 or IPv6 address", ips[i]);
			return -1;
		}
	snprintf(kpath, sizeof(kpath), "%s/%s.key", dir, name);
	snprintf(cpath, sizeof(cpath), "%s/%s.crt", dir, name);
	for (int i = 0; i < 2; i++)
		if (lstat(i ? kpath : cpath, &st) == 0) {
			snprintf(err, errlen, "%s already exists; remove %s and %s to issue %s again", i ? kpath : cpath,
				 cpath, kpath, name);
			return -1;
		}
	X509 *ca = NULL, *x = NULL;
	EVP_PKEY *cakey = NULL, *key = NULL;
	char *san = NULL;
	bool key_placed = false;
	int rc = -1;
	if (load_ca(dir, &ca, &cakey, err, errlen))
		goto out;
	san = san_value(name, ips, nips);
	key = EVP_EC_gen("P-256");
	x = key && san ? cert_new(key, name, X509_get_subject_name(ca), days) : NULL;
	if (x) {
		X509V3_CTX ctx;
		X509V3_set_ctx(&ctx, ca, x, NULL, NULL, 0);
		if (add_ext(x, &ctx, NID_basic_constraints, "CA:FALSE") ||
		    add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature") ||
		    /* one certificate serves an agent (server) or a dispatcher (client) */
		    add_ext(x, &ctx, NID_ext_key_usage, "serverAuth,clientAuth") ||
		    add_ext(x, &ctx, NID_subject_alt_name, san) ||
		    add_ext(x, &ctx, NID_subject_key_identifier, "hash") ||
		    add_ext(x, &ctx, NID_authority_key_identifier, "keyid") || X509_sign(x, cakey, EVP_sha256()) <= 0) {
			X509_free(x);
			x = NULL;
		}
	}
	if (!x) {
		snprintf(err, errlen, "cannot make the certificate for %s%s", name, ssl_reason());
		goto out;
	}
	/* Temporary names in DIR (same file system), placed at the end. */
	snprintf(ktmp, sizeof(ktmp), "%s/.%s.key.tmp-%ld", dir, name, (long)getpid());
	snprintf(ctmp, sizeof(ctmp), "%s/.%s.crt.tmp-%ld", dir, name, (long)getpid());
	if (write_pem(ktmp, kpath, 0600, key, NULL, err, errlen)) {
		ktmp[0] = '\0';
		goto out;
	}
	if (write_pem(ctmp, cpath, 0644, NULL, x, err, errlen)) {
		ctmp[0] = '\0';
		goto out;
	}
	if (place(ktmp, kpath)) {
		snprintf(err, errlen, "cannot create %s: %s", kpath, strerror(errno));
		goto out;
	}
	key_placed = true;
	if (place(ctmp, cpath)) {
		snprintf(err, errlen, "cannot create %s: %s", cpath, strerror(errno));
		goto out;
	}
	ktmp[0] = ctmp[0] = '\0';
	rc = 0;
out:
	if (rc) {
		if (key_placed)
			unlink(kpath);
		else if (ktmp[0])
			unlink(ktmp);
		if (ctmp[0])
			unlink(ctmp);
	}
	free(san);
	X509_free(x);
	X509_free(ca);
	EVP_PKEY_free(key);
	EVP_PKEY_free(cakey);
	return rc;
}
