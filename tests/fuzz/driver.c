// driver.c: a main() for the fuzz harnesses when the compiler has no libFuzzer (gcc builds):
// every file named on the command line, and every regular file of every directory named, is
// run once through the harness's LLVMFuzzerTestOneInput, in name order (what a libFuzzer binary
// does with -runs=0). A harness that finds a bug aborts, so the process fails; otherwise it
// prints how many inputs ran and exits 0 (1 when an argument cannot be read or names nothing).
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

// run the file at path through the harness; 0 on success, -1 if it cannot be read
static int sf_driver_file(const char* path) {
  FILE* f = fopen(path, "rb");
  if (!f) return -1;
  size_t cap = 4096, n = 0;
  uint8_t* buf = malloc(cap);
  while (buf) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap) break;
    uint8_t* grown = realloc(buf, 2 * cap);
    if (!grown) free(buf);
    buf = grown;
    cap *= 2;
  }
  int bad = !buf || ferror(f);
  fclose(f);
  if (!bad) LLVMFuzzerTestOneInput(buf, n);
  free(buf);
  return bad ? -1 : 0;
}

// only regular files of a directory
static int sf_driver_regular(const struct dirent* d) {
  return d->d_name[0] != '.';
}

// run every regular file of directory dir, in name order; the count run, or -1 on failure
static int sf_driver_dir(const char* dir) {
  struct dirent** list = NULL;
  int n = scandir(dir, &list, sf_driver_regular, alphasort);
  if (n < 0) return -1;
  int ran = 0, bad = 0;
  for (int i = 0; i < n; i++) {
    char path[4096];
    struct stat s;
    snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
    if (!bad && stat(path, &s) == 0 && S_ISREG(s.st_mode)) {
      fprintf(stderr, "running %s\n", path);
      if (sf_driver_file(path) < 0) bad = 1;
      ran++;
    }
    free(list[i]);
  }
  free(list);
  return bad ? -1 : ran;
}

int main(int argc, char** argv) {
  // every argument: a file, or a directory of files
  int ran = 0;
  for (int i = 1; i < argc; i++) {
    struct stat s;
    int n = -1;
    if (stat(argv[i], &s) == 0 && S_ISDIR(s.st_mode)) {
      n = sf_driver_dir(argv[i]);
    } else if (stat(argv[i], &s) == 0) {
      fprintf(stderr, "running %s\n", argv[i]);
      n = sf_driver_file(argv[i]) == 0 ? 1 : -1;
    }
    if (n < 0) {
      fprintf(stderr, "%s: cannot read '%s' (expected an input file or a directory of them)\n",
              argv[0], argv[i]);
      return 1;
    }
    ran += n;
  }
  if (!ran) {
    fprintf(stderr, "%s: no inputs (expected files or directories of inputs)\n", argv[0]);
    return 1;
  }
  fprintf(stderr, "%s: %d inputs ran\n", argv[0], ran);
  return 0;
}
