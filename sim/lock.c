// lock.c: the store's writer lock (fcntl record lock on STORE.lock).
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

// the lock file's path: the store's real path (or its directory's, for a new store) + ".lock";
// -1 if the directory does not exist or the path is too long
static int sf_lock_path(const char* path, char* out, size_t n) {
  char* real = realpath(path, NULL);
  int len = -1;
  if (real) {
    len = snprintf(out, n, "%s%s", real, SF_LOCK_SUFFIX);
  } else {
    char a[4096], b[4096];
    snprintf(a, sizeof(a), "%s", path);
    snprintf(b, sizeof(b), "%s", path);
    real = realpath(dirname(a), NULL);
    if (real) len = snprintf(out, n, "%s/%s%s", real, basename(b), SF_LOCK_SUFFIX);
  }
  free(real);
  return len < 0 || (size_t)len >= n ? -1 : 0;
}

// try to lock the lock file once: 1 taken (l->fd set), 0 the file was replaced meanwhile (try
// again), -1 failed with *st and e set
static int sf_lock_try(const char* store, sfLock* l, sftStatus* st, sfError* e) {
  int fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    *st = sf_fail(e, SF_ERR_RUN, "store '%s': cannot make its lock file '%s' (%s)", store, l->path,
                  strerror(errno));
    return -1;
  }

  // the lock, or the pid of the process that holds it
  struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
  if (fcntl(fd, F_SETLK, &fl) < 0) {
    int err = errno;
    struct flock who = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    long pid = fcntl(fd, F_GETLK, &who) == 0 && who.l_type != F_UNLCK ? (long)who.l_pid : -1;
    close(fd);
    if (err != EACCES && err != EAGAIN) {
      *st = sf_fail(e, SF_ERR_RUN, "store '%s': cannot lock '%s' (%s)", store, l->path,
                    strerror(err));
    } else {
      *st = sf_fail(e, SF_ERR_INPUT,
                    "store '%s' is being written by process %ld (it holds the lock on '%s'); "
                    "expected no other writer: wait for that run to end or stop it",
                    store, pid, l->path);
    }
    return -1;
  }

  // still the file at that path (a writer that released it deletes it first)
  struct stat a, b;
  if (fstat(fd, &a) < 0 || stat(l->path, &b) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
    close(fd);
    return 0;
  }
  l->fd = fd;
  return 1;
}

sftStatus sf_lock_take(const char* path, sfLock* l, sfError* e) {
  l->fd = -1;
  if (sf_lock_path(path, l->path, sizeof(l->path)) < 0) {
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", path);
    return sf_fail(e, SF_ERR_INPUT, "store '%s': directory '%s' does not exist", path,
                   dirname(dir));
  }
  int rc = 0;
  sftStatus st = SF_OK;
  for (int tries = 0; rc == 0 && tries < 100; tries++) rc = sf_lock_try(path, l, &st, e);
  if (rc == 0) return sf_fail(e, SF_ERR_RUN, "store '%s': its lock file keeps changing", path);
  if (rc < 0) return st;

  // our pid in the file, for people and tools that look
  char pid[32];
  int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
  if (ftruncate(l->fd, 0) < 0 || pwrite(l->fd, pid, (size_t)n, 0) != n) {
    int err = errno;
    sf_lock_release(l);
    return sf_fail(e, SF_ERR_RUN, "store '%s': cannot write its lock file (%s)", path,
                   strerror(err));
  }
  return SF_OK;
}

void sf_lock_release(sfLock* l) {
  if (l->fd < 0) return;
  unlink(l->path);  // while still held: a writer that opened it meanwhile sees it replaced
  close(l->fd);
  l->fd = -1;
}
