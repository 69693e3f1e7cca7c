// status.c: error message formatting.
#include "status.h"

#include <stdarg.h>

sftStatus sf_fail(sfError* e, sftStatus status, const char* fmt, ...) {
  if (e) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
  }
  return status;
}
