// fuzz_store_bytes.c: byte-level libFuzzer harness for the store reader: the input is the store
// file itself (seeded with real stores that store_bytes_corpus.cmake makes in the build tree),
// written to a tmpfs and read with sf_store_read; on success the info summary runs on it. Not
// run for a fixed time in CI: corrupt files reach libhdf5's own parser, which crashes on some
// of them (README.md, "Reliability").
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "cli.h"
#include "store.h"
#include "store_check.h"

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // the bytes as a file in a tmpfs when there is one
  static char path[4096];
  if (!path[0]) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const char* dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(path, sizeof(path), "%s/sf-fuzz-bytes-%ld.h5", dir, (long)getpid());
  }
  FILE* f = fopen(path, "wb");
  SF_ASSERT(f);
  SF_ASSERT(fwrite(data, 1, size, f) == size && fclose(f) == 0);

  // read; the summary of what reads
  sfStoreData d;
  sfError e = {{0}};
  sftStatus st = sf_store_read(path, &d, &e);
  SF_FUZZ_EXPECT(st == SF_OK || ((st == SF_ERR_INPUT || st == SF_ERR_RUN) && e.msg[0]));
  sf_store_data_free(&d);
  if (st == SF_OK) {
    static FILE* null;
    if (!null) null = fopen("/dev/null", "w");
    char* argv[] = {"suturefleet", "info", path, NULL};
    sf_cli_main(3, argv, null, null);
  }
  unlink(path);
  return 0;
}
