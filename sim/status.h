// status.h: the error contract shared by every module.
//
// Functions that can fail for reasons outside the program return an sftStatus and write a
// message naming the offending thing and the expectation into a caller's sfError. Broken
// internal invariants are not errors: they abort through SF_ASSERT with file and line.
#ifndef SUTUREFLEET_SIM_STATUS_H_
#define SUTUREFLEET_SIM_STATUS_H_

#include <stdio.h>
#include <stdlib.h>

// outcome of a fallible call; the numeric value is the process exit code
typedef enum sftStatus_ {
  SF_OK = 0,        // success
  SF_ERR_RUN = 1,   // runtime failure: I/O, simulation
  SF_ERR_INPUT = 2  // bad usage or bad input
} sftStatus;

// an error message buffer owned by the caller
typedef struct sfError_ {
  char msg[1024];  // NUL-terminated message, empty when there is no error
} sfError;

// write a formatted message into e (if e is not NULL) and return status
sftStatus sf_fail(sfError* e, sftStatus status, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

// an output path can be written without writing anything yet: an existing file or directory
// that is writable, or a new name in a writable directory (trailing '/' ignored); 0 if not
int sf_path_writable(const char* path);

// the path has no control characters (it is safe inside a quoted tool command line)
int sf_path_plain(const char* path);

// open path for reading as a regular file: opened without blocking (a FIFO or a device never
// hangs it), its type checked on the open descriptor, then read through that same descriptor
// (no second open by name); what names it in messages ("--config"), expect says what it should
// be ("an INI file"); SF_ERR_INPUT naming what, the path and its kind (directory, FIFO,
// device) with nothing left open; on success *f is open for reading
sftStatus sf_file_open_regular(const char* path, const char* what, const char* expect, FILE** f,
                               sfError* e);

// path names a regular file, checked as sf_file_open_regular checks it, for a file a library
// opens again by its name afterwards (HDF5, MuJoCo); SF_ERR_INPUT as sf_file_open_regular
sftStatus sf_file_check_regular(const char* path, const char* what, const char* expect, sfError* e);

// the one allocation rule: memory comes from SF_CALLOC / SF_REALLOC, which never return NULL;
// a failed allocation is reported with file, line and size and aborts (as MuJoCo's mju_error).
// What a run will allocate is checked up front against the machine (cli.c), so this is an
// internal error, never the answer to bad input. The one exception is a size read from a file
// (a store's row count, a journal's length): that is input, so the four readers that allocate
// by it (store.c, journal.c) use malloc/calloc and turn a failure into their error return.
void* sf_calloc_at(size_t n, size_t size, const char* file, int line);
void* sf_realloc_at(void* p, size_t n, size_t size, const char* file, int line);
#define SF_CALLOC(n, size) sf_calloc_at((size_t)(n), (size_t)(size), __FILE__, __LINE__)
#define SF_REALLOC(p, n, size) sf_realloc_at((p), (size_t)(n), (size_t)(size), __FILE__, __LINE__)

// angle units: the one definition of each conversion factor
#define SF_DEG (3.14159265358979323846 / 180)   // radians per degree (mjPI / 180)
#define SF_RAD2DEG (180.0 / 3.141592653589793)  // degrees per radian

// a macro's value as a string literal, e.g. in help text: "1.." SF_STR(SF_MAX_STITCHES)
#define SF_STR_(x) #x
#define SF_STR(x) SF_STR_(x)

// abort with file and line when an internal invariant is broken
#define SF_ASSERT(cond)                                                                         \
  do {                                                                                          \
    if (!(cond)) {                                                                              \
      fprintf(stderr, "suturefleet: internal error at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
      abort();                                                                                  \
    }                                                                                           \
  } while (0)

#endif  // SUTUREFLEET_SIM_STATUS_H_
