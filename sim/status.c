// status.c: error message formatting.
#include "status.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

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
