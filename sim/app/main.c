// main.c: the suturefleet executable.
//
// Under MPI only rank 0 speaks: the other ranks' output is dropped, and their error messages
// are shown (prefixed with the rank) only for runtime failures, which may be theirs alone; bad
// input is reported once, by rank 0. Only run, bench and study (whose cells are runs, rank 0
// writing the study's files) are distributed: any other command is done by rank 0 alone (the
// others would write the same outputs over each other).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dist.h"

int main(int argc, char** argv) {
  sf_dist_init(&argc, &argv);
  int rank = sf_dist_rank();
  if (rank == 0) {
    int code = sf_cli_main(argc, argv, stdout, stderr);
    sf_dist_finalize();
    return code;
  }

  // a rank other than 0
  if (argc < 2 ||
      (strcmp(argv[1], "run") && strcmp(argv[1], "bench") && strcmp(argv[1], "study"))) {
    sf_dist_finalize();
    return 0;
  }
  char* msg = NULL;
  size_t len = 0;
  FILE* null = fopen("/dev/null", "w");
  FILE* err = open_memstream(&msg, &len);
  int code = sf_cli_main(argc, argv, null ? null : stderr, err ? err : stderr);
  if (err) fclose(err);
  if (null) fclose(null);
  if (code == 1 && msg && len) fprintf(stderr, "[rank %d] %s", rank, msg);
  free(msg);
  sf_dist_finalize();
  return code;
}
