// status.c: error message formatting and checks of the paths a user names.
#include "status.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

// report a failed allocation of n * size bytes at file:line and abort
static void sf_alloc_failed(size_t n, size_t size, const char* file, int line) {
  fprintf(stderr, "suturefleet: internal error at %s:%d: cannot allocate %zu x %zu bytes\n", file,
          line, n, size);
  abort();
}

void* sf_calloc_at(size_t n, size_t size, const char* file, int line) {
  void* p = calloc(n ? n : 1, size ? size : 1);
  if (!p) sf_alloc_failed(n, size, file, line);
  return p;
}

void* sf_realloc_at(void* p, size_t n, size_t size, const char* file, int line) {
  if (size && n > SIZE_MAX / size) sf_alloc_failed(n, size, file, line);
  size_t bytes = n * size;
  void* q = realloc(p, bytes ? bytes : 1);
  if (!q) sf_alloc_failed(n, size, file, line);
  return q;
}

sftStatus sf_fail(sfError* e, sftStatus status, const char* fmt, ...) {
  if (e) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
  }
  return status;
}

int sf_path_writable(const char* path) {
  char dir[4096];
  size_t n = strlen(path);
  while (n > 1 && path[n - 1] == '/') n--;
  if (n == 0 || n >= sizeof(dir)) return 0;
  memcpy(dir, path, n);
  dir[n] = 0;
  if (access(dir, F_OK) == 0) return access(dir, W_OK) == 0;

  // a new name: its directory must be writable
  char* slash = strrchr(dir, '/');
  if (!slash) return access(".", W_OK) == 0;
  if (slash == dir)
    slash[1] = 0;
  else
    *slash = 0;
  return access(dir, W_OK) == 0;
}

int sf_path_plain(const char* path) {
  for (; *path; path++) {
    if ((unsigned char)*path < 0x20 || *path == '\'') return 0;
  }
  return 1;
}

// what kind of file a mode is, for messages
static const char* sf_file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "a special file";
}

// a read-only descriptor of the regular file at path (blocking reads again), or -1 with the
// message in e
static int sf_file_open_fd(const char* path, const char* what, const char* expect, sfError* e) {
  // without O_NONBLOCK, opening a FIFO would wait for a writer
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    sf_fail(e, SF_ERR_INPUT, "%s '%s': cannot open (%s); expected %s", what, path, strerror(errno),
            expect);
    return -1;
  }

  // the type of what was opened, not of what the name points to later
  struct stat sb;
  if (fstat(fd, &sb) != 0) {
    sf_fail(e, SF_ERR_INPUT, "%s '%s': cannot read it (%s); expected %s", what, path,
            strerror(errno), expect);
    close(fd);
    return -1;
  }
  if (!S_ISREG(sb.st_mode)) {
    sf_fail(e, SF_ERR_INPUT, "%s '%s': %s, not a regular file; expected %s", what, path,
            sf_file_kind(sb.st_mode), expect);
    close(fd);
    return -1;
  }
  int flags = fcntl(fd, F_GETFL);
  if (flags >= 0) fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

sftStatus sf_file_open_regular(const char* path, const char* what, const char* expect, FILE** f,
                               sfError* e) {
  *f = NULL;
  int fd = sf_file_open_fd(path, what, expect, e);
  if (fd < 0) return SF_ERR_INPUT;
  *f = fdopen(fd, "r");
  if (!*f) {
    close(fd);
    return sf_fail(e, SF_ERR_RUN, "%s '%s': cannot read it (%s)", what, path, strerror(errno));
  }
  return SF_OK;
}

sftStatus sf_file_check_regular(const char* path, const char* what, const char* expect,
                                sfError* e) {
  int fd = sf_file_open_fd(path, what, expect, e);
  if (fd < 0) return SF_ERR_INPUT;
  close(fd);
  return SF_OK;
}
