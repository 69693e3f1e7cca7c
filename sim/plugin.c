// plugin.c: opening, hashing and loading a plug-in file; unloading it.
#include "plugin.h"

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rng.h"

int sf_plugin_is_path(const char* spec) {
  size_t n = strlen(spec);
  return strchr(spec, '/') != NULL || (n > 3 && !strcmp(spec + n - 3, ".so"));
}

int sf_plugin_name_ok(const char* s, const char* extra, size_t max) {
  if (!s || !*s || strlen(s) > max) return 0;
  for (; *s; s++) {
    if (!isalnum((unsigned char)*s) && !strchr(extra, *s)) return 0;
  }
  return 1;
}

void sf_plugin_builtin(sfPlugin* p) {
  memset(p, 0, sizeof(*p));
  p->fd = -1;
  snprintf(p->hash, sizeof(p->hash), "%s", SF_BUILTIN_HASH);
}

// FNV-1a 64 of the bytes read from fd (from its start) into hex (17 bytes); -1 if it cannot be
// read
static int sf_fd_hash(int fd, char hex[24]) {
  uint64_t h = SF_FNV_SEED;
  unsigned char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    h = sf_fnv1a(h, buf, (size_t)n);
  }
  snprintf(hex, 24, "%016llx", (unsigned long long)h);
  return 0;
}

// the /proc name of the open file fd (whose status is sb) into name; 0 when /proc does not
// show that very file (no /proc mounted)
static int sf_fd_name(int fd, const struct stat* sb, char name[64]) {
  snprintf(name, 64, "/proc/self/fd/%d", fd);
  struct stat ps;
  return stat(name, &ps) == 0 && ps.st_dev == sb->st_dev && ps.st_ino == sb->st_ino;
}

// close the descriptor a plug-in was loaded through, once nothing loaded is known by its /proc
// name; while an object still is (another table shares the file, or it stayed mapped) the
// descriptor stays open, so that name can never come to name another file
static void sf_fd_release(int fd) {
  if (fd < 0) return;
  char name[64];
  snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
  void* still = dlopen(name, RTLD_NOW | RTLD_NOLOAD);
  if (still) {
    dlclose(still);
    return;
  }
  close(fd);
}

// dlerror's text why with the /proc name replaced by the plug-in's path, into out
static void sf_dl_why(const char* why, const char* name, const char* path, char* out, size_t n) {
  const char* at = why ? strstr(why, name) : NULL;
  if (!at) {
    snprintf(out, n, "%s", why ? why : "unknown error");
    return;
  }
  int len = snprintf(out, n, "%.*s%s%s", (int)(at - why), why, path, at + strlen(name));
  if (len >= (int)n && n > 4) memcpy(out + n - 4, "...", 4);  // cut to fit, and marked so
}

// the plug-in file p->path opened once and checked: a regular file, hashed into p->hash and, with
// expected, of that hash; p->path made absolute. Returns the descriptor (its status in sb), or -1
// with SF_ERR_INPUT in e and nothing left open
static int sf_plugin_file(sfPlugin* p, const sfPluginKind* k, const char* expected,
                          const char* origin, struct stat* sb, sfError* e) {
  const char* path = p->path;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // a FIFO must not block
  if (fd < 0) {
    sf_fail(e, SF_ERR_INPUT, "%s plug-in '%s': %s (expected a shared object built against %s)",
            k->kind, path, strerror(errno), k->header);
    return -1;
  }
  const char* bad = fstat(fd, sb) != 0 || !S_ISREG(sb->st_mode) ? "not a regular file"
                    : sf_fd_hash(fd, p->hash) != 0              ? "cannot be read"
                                                                : NULL;
  if (bad) {
    close(fd);
    sf_fail(e, SF_ERR_INPUT, "%s plug-in '%s': %s", k->kind, path, bad);
    return -1;
  }

  // the expected hash, before anything of the file runs
  if (expected && strcmp(p->hash, expected)) {
    close(fd);
    sf_fail(e, SF_ERR_INPUT,
            "%s plug-in '%s' (hash %s) is not the %s %s was written with (hash %s); the file "
            "was not loaded",
            k->kind, path, p->hash, k->kind, origin, expected);
    return -1;
  }

  // where the file is, from anywhere: the store records it
  char name[64], full[4096];
  ssize_t n = sf_fd_name(fd, sb, name) ? readlink(name, full, sizeof(full) - 1) : -1;
  char* real = n < 0 ? realpath(path, NULL) : NULL;
  if (n >= 0) full[n] = 0;
  if (real && strlen(real) < sizeof(full)) snprintf(full, sizeof(full), "%s", real);
  if ((n >= 0 || real) && strlen(full) < sizeof(p->path)) {
    snprintf(p->path, sizeof(p->path), "%s", full);
  }
  free(real);
  return fd;
}

// the entry function of the loaded p, called, into *table; SF_ERR_INPUT (p left loaded) when
// the symbol is missing or returns NULL
static sftStatus sf_plugin_entry(sfPlugin* p, const sfPluginKind* k, const char* path,
                                 const void** table, sfError* e) {
  dlerror();
  void* sym = dlsym(p->dl, k->entry);
  if (!sym) {
    char proto[256];
    snprintf(proto, sizeof(proto), k->proto, k->entry);
    return sf_fail(e, SF_ERR_INPUT, "%s plug-in '%s': no entry symbol '%s' (expected '%s')",
                   k->kind, path, k->entry, proto);
  }
  const void* (*entry)(void);
  memcpy(&entry, &sym, sizeof(entry));
  *table = entry();
  if (!*table) {
    return sf_fail(e, SF_ERR_INPUT, "%s plug-in '%s': %s() returned NULL", k->kind, path, k->entry);
  }
  return SF_OK;
}

sftStatus sf_plugin_load(sfPlugin* p, const sfPluginKind* k, const char* path, const char* expected,
                         const char* origin, const void** table, sfError* e) {
  memset(p, 0, sizeof(*p));
  p->fd = -1;
  *table = NULL;
  if (strlen(path) >= sizeof(p->path)) {
    return sf_fail(e, SF_ERR_INPUT, "%s plug-in path is too long (%zu characters)", k->kind,
                   strlen(path));
  }
  snprintf(p->path, sizeof(p->path), "%s", path);
  struct stat sb;
  int fd = sf_plugin_file(p, k, expected, origin, &sb, e);
  if (fd < 0) return SF_ERR_INPUT;

  // load the bytes that were hashed: the same open file through /proc (its path may have been
  // replaced since), or, without /proc, the file at the path
  char name[64];
  int via_fd = sf_fd_name(fd, &sb, name);
  p->dl = dlopen(via_fd ? name : path, RTLD_NOW | RTLD_LOCAL);
  if (!via_fd) close(fd), fd = -1;
  if (!p->dl) {
    char why[2048];
    sf_dl_why(dlerror(), name, path, why, sizeof(why));
    if (fd >= 0) close(fd);
    return sf_fail(e, SF_ERR_INPUT, "%s plug-in '%s': cannot be loaded as a shared object: %s",
                   k->kind, path, why);
  }
  p->fd = fd;

  // its entry point and table
  sftStatus st = sf_plugin_entry(p, k, path, table, e);
  if (st != SF_OK) sf_plugin_close(p);
  return st;
}

sftStatus sf_plugin_stored_spec(const sfPluginKind* k, const char* option, const char* given,
                                const char* stored_spec, const char* name, const char* hash,
                                const char* store, char* origin, size_t n, const char** spec,
                                sfError* e) {
  snprintf(origin, n, "store '%s'", store);
  *spec = given;
  if (!sf_plugin_is_path(stored_spec) && !strcmp(hash, SF_BUILTIN_HASH)) {
    if (!given) *spec = stored_spec;
    return SF_OK;
  }
  if (given) return SF_OK;
  return sf_fail(e, SF_ERR_INPUT,
                 "store '%s' was written by plug-in %s '%s' (path %s, hash %s); pass %s PATH to "
                 "load it",
                 store, k->kind, name, stored_spec, hash, option);
}

int sf_plugin_builtin_index(const sfPluginKind* k, const char* option, const char* const* names,
                            int n, const char* spec, const char* expected, const char* origin,
                            const char* choices, sfError* e) {
  for (int i = 0; i < n; i++) {
    if (strcmp(names[i], spec)) continue;
    if (!expected || !strcmp(expected, SF_BUILTIN_HASH)) return i;
    sf_fail(e, SF_ERR_INPUT,
            "built-in %s '%s' is not the %s %s was written with (a plug-in, hash %s)", k->kind,
            spec, k->kind, origin, expected);
    return -1;
  }
  sf_fail(e, SF_ERR_INPUT,
          "%s '%s': no such built-in %s (expected %s, or the path of a plug-in .so)", option, spec,
          k->kind, choices);
  return -1;
}

void sf_plugin_close(sfPlugin* p) {
  if (!p) return;
  if (p->dl) {
    dlclose(p->dl);
    sf_fd_release(p->fd);
  }
  sf_plugin_builtin(p);
}
