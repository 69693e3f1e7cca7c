// test_mpi.c: hybrid MPI + OpenMP runs (built with -DSUTUREFLEET_MPI=ON): mpirun with 2 and 3
// ranks writes /episodes, /robots, /knowledge and /data exactly as one process does (h5dump
// text, the file name line aside); a rank killed mid-run ends the job (no hung ranks), the
// store keeps its completed rounds, and --resume with another rank count finishes it to the
// uninterrupted result.
#include "sf_test.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fleet.h"
#include "store.h"
#include "store_check.h"

#define RUN_ARGS \
  "--robots", "5", "--rounds", "6", "--join", "2@2", "--record", "every:3", "--seed", "9"

// h5dump of one object of a store without its first line (the file name)
static char* dump(const char* store, const char* what, const char* object) {
  char out[4096], cmd[8192];
  snprintf(out, sizeof(out), "%s/mpi_dump.txt", SF_TEST_TMP);
  snprintf(cmd, sizeof(cmd), "h5dump %s %s '%s' | tail -n +2 > '%s'", what, object, store, out);
  assert_int_equal(system(cmd), 0);
  char* text = sf_test_read(out, NULL);
  assert_non_null(text);
  return text;
}

// stores a and b hold the same /episodes, /robots, /knowledge and /data
static void assert_same_store(const char* a, const char* b) {
  const char* objects[][2] = {
      {"-d", "/episodes"}, {"-d", "/robots"}, {"-d", "/knowledge"}, {"-g", "/data"}};
  for (int i = 0; i < 4; i++) {
    char* x = dump(a, objects[i][0], objects[i][1]);
    char* y = dump(b, objects[i][0], objects[i][1]);
    assert_true(strlen(x) > 100);
    if (strcmp(x, y)) print_error("%s differs between %s and %s\n", objects[i][1], a, b);
    assert_string_equal(x, y);
    free(x);
    free(y);
  }
}

// start argv (NULL-terminated) with its output into log; returns its pid
static pid_t start(char* const* argv, const char* log) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid;
  assert_int_equal(posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

// run argv to its end; its exit code
static int run(char* const* argv, const char* log) {
  int status = 0;
  assert_int_equal(waitpid(start(argv, log), &status, 0) > 0, 1);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

#define MPIRUN(np) "mpirun", "--oversubscribe", "-np", np, SF_TEST_BIN

static char g_ref[4096];  // the single-process reference store

static int setup(void** state) {
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);  // CI runs as root
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  sf_test_path(g_ref, sizeof(g_ref), "mpi_ref.h5");
  unlink(g_ref);
  char log[4096];
  sf_test_path(log, sizeof(log), "mpi_ref.log");
  char* argv[] = {SF_TEST_BIN, "run", RUN_ARGS, "--threads", "2", "--store", g_ref, NULL};
  return run(argv, log) == 0 ? 0 : -1;
}

// 2 and 3 ranks (one thread each) write the single process's store
static void test_ranks_match_one_process(void** state) {
  const char* counts[] = {"2", "3"};
  for (int i = 0; i < 2; i++) {
    char store[4096], log[4096];
    snprintf(store, sizeof(store), "%s/mpi_np%s.h5", SF_TEST_TMP, counts[i]);
    snprintf(log, sizeof(log), "%s/mpi_np%s.log", SF_TEST_TMP, counts[i]);
    unlink(store);
    char* argv[] = {
        MPIRUN((char*)counts[i]), "run", RUN_ARGS, "--threads", "1", "--store", store, NULL};
    int code = run(argv, log);
    char* text = sf_test_read(log, NULL);
    assert_non_null(text);
    print_message("np %s: exit %d\n%s", counts[i], code, text ? text : "");
    assert_int_equal(code, 0);
    char ranks[64];
    snprintf(ranks, sizeof(ranks), "%s ranks x 1 threads", counts[i]);
    assert_contains(text, ranks);
    free(text);
    assert_same_store(g_ref, store);
  }
}

// the pid of the process of rank `rank` among mpirun's children, or -1
static pid_t rank_pid(pid_t mpirun, int rank) {
  char cmd[256], want[64];
  snprintf(cmd, sizeof(cmd), "pgrep -P %d", (int)mpirun);
  snprintf(want, sizeof(want), "OMPI_COMM_WORLD_RANK=%d", rank);
  FILE* p = popen(cmd, "r");
  int pid, found = -1;
  while (p && fscanf(p, "%d", &pid) == 1) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/environ", pid);
    size_t n = 0;
    char* env = sf_test_read(path, &n);
    for (size_t k = 0; env && k < n; k += strlen(env + k) + 1) {
      if (!strcmp(env + k, want)) found = pid;
    }
    free(env);
  }
  if (p) pclose(p);
  return found;
}

// rounds a store holds completely (-1 if unreadable or none)
static int rounds_done(const char* store) {
  sfStoreData d;
  sfError e = {{0}};
  if (sf_store_read(store, &d, &e) != SF_OK) return -1;
  int done = sf_fleet_rounds_done(&d);
  sf_store_data_free(&d);
  return done;
}

// rank 1 killed after two rounds: mpirun ends every rank and exits non-zero (the wait is
// bounded at 120 s, far above the seconds it takes, only so that a hang fails the test rather
// than the CI job); the store holds its completed rounds and resumes with 3 ranks to the
// uninterrupted result
static void test_killed_rank_resumes(void** state) {
  char store[4096], log[4096];
  sf_test_path(store, sizeof(store), "mpi_killed.h5");
  sf_test_path(log, sizeof(log), "mpi_killed.log");
  unlink(store);
  char* argv[] = {MPIRUN("2"), "run", RUN_ARGS, "--threads", "1", "--store", store, NULL};
  pid_t mpirun = start(argv, log);
  while (rounds_done(store) < 1) usleep(20000);
  pid_t victim = rank_pid(mpirun, 1), survivor = rank_pid(mpirun, 0);
  assert_true(victim > 0 && survivor > 0);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  assert_int_equal(kill(victim, SIGKILL), 0);
  int status = 0, waited = 0;
  while (waitpid(mpirun, &status, WNOHANG) == 0 && waited < 6000) usleep(20000), waited++;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double dt = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
  int done = rounds_done(store);
  print_message("killed rank 1 (pid %d) after round %d: mpirun ended %.2f s later, exit %d\n",
                (int)victim, done, dt, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  assert_true(waited < 6000);
  assert_true(!WIFEXITED(status) || WEXITSTATUS(status) != 0);
  for (int k = 0; k < 500 && kill(survivor, 0) == 0; k++) usleep(20000);
  assert_int_equal(kill(survivor, 0), -1);  // rank 0 did not hang on
  assert_true(done >= 1 && done < 5);

  // resume with 3 ranks
  char* resume[] = {MPIRUN("3"), "run", "--store", store, "--resume", "--threads", "1", NULL};
  int code = run(resume, log);
  char* text = sf_test_read(log, NULL);
  print_message("resume with 3 ranks: exit %d\n%s", code, text ? text : "");
  free(text);
  assert_int_equal(code, 0);
  assert_same_store(g_ref, store);
}

// a study under mpirun with 2 ranks: every cell's robots shared by the ranks, rank 0 writing the
// cells and the summary; the same summary and cell stores as one process with side-by-side cells
static void test_study_over_ranks(void** state) {
  (void)state;
  char spec[4096], one[4096], two[4096], log[4096], cmd[9000];
  sf_test_path(spec, sizeof(spec), "mpi_study.ini");
  sf_test_write(spec, "[study]\nname = mpi\nrobots = 1,3\nrounds = 3\njoin = 1@1\nseed = 4\n");
  sf_test_path(one, sizeof(one), "mpi_study.one");
  sf_test_path(two, sizeof(two), "mpi_study.two");
  sf_test_path(log, sizeof(log), "mpi_study.log");
  snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", one, two);
  assert_int_equal(system(cmd), 0);
  char* solo[] = {SF_TEST_BIN, "study", spec, "--out", one, "--threads", "2", NULL};
  assert_int_equal(run(solo, log), 0);
  char* ranks[] = {MPIRUN("2"), "study", spec, "--out", two, "--threads", "1", NULL};
  int code = run(ranks, log);
  char* text = sf_test_read(log, NULL);
  print_message("study with 2 ranks: exit %d\n%s", code, text ? text : "");
  assert_int_equal(code, 0);
  assert_int_equal(strstr(strstr(text, "summary in") + 1, "summary in"), NULL);  // rank 0 only
  free(text);
  char a[4200], b[4200];
  snprintf(a, sizeof(a), "%s/summary.csv", one);
  snprintf(b, sizeof(b), "%s/summary.csv", two);
  char* x = sf_test_read(a, NULL);
  char* y = sf_test_read(b, NULL);
  assert_non_null(x);
  assert_non_null(y);
  assert_string_equal(x, y);
  free(x);
  free(y);
  const char* cells[] = {"robots-1.h5", "robots-3.h5"};
  for (int i = 0; i < 2; i++) {
    snprintf(a, sizeof(a), "%s/cells/%s", one, cells[i]);
    snprintf(b, sizeof(b), "%s/cells/%s", two, cells[i]);
    assert_same_store(a, b);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ranks_match_one_process),
      cmocka_unit_test(test_killed_rank_resumes),
      cmocka_unit_test(test_study_over_ranks),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
