// test_safety.c: the store survives what happens to long runs: a second writer, a kill at any
// instant (SIGKILL at writes spread over a whole run, inside round writes and demo creation,
// and while simulating), SIGINT and SIGTERM, and a full disk; each ends in a store that info
// reads and that --resume finishes to exactly the uninterrupted run's tables and trajectories.
#include "sf_test.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

// a short run: 2 robots in both cohorts (4 episodes a round), every trajectory recorded
#define RUN_ARGS                                                                                \
  "run", "--robots", "2", "--join", "none", "--mode", "both", "--seed", "5", "--record", "all", \
      "--threads", "2"

#define KILL_POINTS 20  // SIGKILL at this many writes spread over the run
#define KILL_TIMES 4    // and at this many instants while it simulates

// the text of a store's tables and trajectories (h5dump at full precision, file name dropped)
static char* store_text(const char* store) {
  char cmd[9000], out[4096];
  sf_test_path(out, sizeof(out), "safety_dump.txt");
  snprintf(cmd, sizeof(cmd),
           "h5dump -m %%.17g -d /episodes -d /robots -d /knowledge -g /data '%s' | tail -n +2 "
           "> '%s'",
           store, out);
  assert_int_equal(system(cmd), 0);
  char* text = sf_test_read(out, NULL);
  assert_non_null(text);
  return text;
}

// the two stores hold the same tables and trajectories
static void assert_same_store(const char* a, const char* b) {
  char *x = store_text(a), *y = store_text(b);
  if (strcmp(x, y)) print_error("stores '%s' and '%s' differ\n", a, b);
  assert_true(strcmp(x, y) == 0);
  free(x);
  free(y);
}

// remove a store and what a writer leaves beside it
static void remove_store(const char* store) {
  const char* suffix[] = {"", "-journal", ".lock"};
  char p[4200];
  for (int i = 0; i < 3; i++) {
    snprintf(p, sizeof(p), "%s%s", store, suffix[i]);
    unlink(p);
  }
}

static int exists(const char* path) {
  return access(path, F_OK) == 0;
}

// nothing is left beside a finished store: no journal, no lock file, no temporary file
static void assert_clean(const char* store) {
  char p[4200];
  snprintf(p, sizeof(p), "%s-journal", store);
  assert_false(exists(p));
  snprintf(p, sizeof(p), "%s.lock", store);
  assert_false(exists(p));
  char cmd[4400];
  snprintf(cmd, sizeof(cmd), "ls '%s'.tmp-* > /dev/null 2>&1", store);
  assert_int_not_equal(system(cmd), 0);
}

// run the binary with args (NULL-terminated, "run" first) and an extra environment variable
// (NULL: none), output into log; the wait status
static int run_child(const char* log, const char* env, char* const* args) {
  char* argv[64];
  sf_test_argv((const char* const*)args, argv);
  if (env) putenv((char*)env);
  pid_t pid = sf_test_spawn(log, argv);
  if (env) {
    char name[64];
    snprintf(name, sizeof(name), "%.*s", (int)(strchr(env, '=') - env), env);
    unsetenv(name);
  }
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  return status;
}

// the run exited with code
static void assert_exit(int status, int code, const char* log) {
  if (!(WIFEXITED(status) && WEXITSTATUS(status) == code)) {
    char* text = sf_test_read(log, NULL);
    print_error("expected exit %d, got status 0x%x:\n%s\n", code, status, text ? text : "");
    free(text);
  }
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == code);
}

#define ARGV(...) ((char* const[]){__VA_ARGS__, NULL})

// the uninterrupted store of RUN_ARGS with rounds rounds (made once per count) and the number of
// store writes it took
static const char* reference(int rounds, long* writes) {
  static char path[2][4096];
  static long count[2];
  int k = rounds == 3 ? 0 : 1;
  if (!path[k][0]) {
    char store[4096], log[4096], r[16];
    snprintf(r, sizeof(r), "%d", rounds);
    snprintf(store, sizeof(store), "%s/safety_ref%d.h5", SF_TEST_TMP, rounds);
    sf_test_path(log, sizeof(log), "safety_ref.log");
    remove_store(store);
    int st = run_child(log, "SUTUREFLEET_COUNT_WRITES=1",
                       ARGV(RUN_ARGS, "--rounds", r, "--store", store, "--quiet"));
    assert_exit(st, 0, log);
    char* text = sf_test_read(log, NULL);
    const char* w = text ? strstr(text, "suturefleet: ") : NULL;
    assert_non_null(w);
    count[k] = atol(w + strlen("suturefleet: "));
    free(text);
    assert_true(count[k] > 10);
    memcpy(path[k], store, sizeof(store));
  }
  if (writes) *writes = count[k];
  return path[k];
}

// what a user does after the run died: read the store, then resume it (or, when it died before
// the store existed, run it again); the result must be the reference. Returns the rounds info
// found complete (-1: no store)
static int recover(const char* store, const char* log, const char* ref) {
  int done = -1;
  if (exists(store)) {
    sfTestCli r = sf_test_cli((const char*[]){"info", store, "--json", NULL});
    if (r.code != 0) print_error("info: %s\n", r.err);
    assert_int_equal(r.code, 0);
    const char* k = strstr(r.out, "\"rounds_done\": ");
    assert_non_null(k);
    done = atoi(k + strlen("\"rounds_done\": "));
    sf_test_cli_free(&r);
    assert_exit(run_child(log, NULL, ARGV("run", "--store", (char*)store, "--resume", "--quiet")),
                0, log);
  } else {
    assert_exit(
        run_child(log, NULL, ARGV(RUN_ARGS, "--rounds", "3", "--store", (char*)store, "--quiet")),
        0, log);
  }
  assert_same_store(ref, store);
  assert_clean(store);
  return done;
}

// SIGKILL at KILL_POINTS writes spread evenly from the first (creating the store) to the last
// (the final round's commit), through demo creation and table appends: every store is read by
// info and resumed to the reference
static void test_kill_at_writes(void** state) {
  long writes = 0;
  const char* ref = reference(3, &writes);
  char store[4096], log[4096], env[64];
  sf_test_path(store, sizeof(store), "safety_kill.h5");
  sf_test_path(log, sizeof(log), "safety_kill.log");
  print_message("reference run: %ld store writes\n", writes);
  for (int i = 0; i < KILL_POINTS; i++) {
    long at = 1 + (long)i * (writes - 1) / (KILL_POINTS - 1);
    remove_store(store);
    snprintf(env, sizeof(env), "SUTUREFLEET_KILL_AT_WRITE=%ld", at);
    int st = run_child(log, env, ARGV(RUN_ARGS, "--rounds", "3", "--store", store, "--quiet"));
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    int done = recover(store, log, ref);
    print_message("killed at write %ld of %ld: %d rounds complete, resumed to the reference\n", at,
                  writes, done);
  }
}

// SIGKILL at KILL_TIMES instants while the run simulates: the same
static void test_kill_at_times(void** state) {
  const char* ref = reference(3, NULL);
  char store[4096], log[4096];
  sf_test_path(store, sizeof(store), "safety_killt.h5");
  sf_test_path(log, sizeof(log), "safety_killt.log");
  for (int i = 0; i < KILL_TIMES; i++) {
    remove_store(store);
    char* argv[] = {"suturefleet", RUN_ARGS, "--rounds", "3", "--store", store, "--quiet", NULL};
    pid_t pid = sf_test_spawn(log, argv);
    struct timespec t = {(i + 1) / 4, 250000000L * ((i + 1) % 4)};
    nanosleep(&t, NULL);
    kill(pid, SIGKILL);
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    int done = recover(store, log, ref);
    print_message("killed after %d ms (%s): %d rounds complete, resumed to the reference\n",
                  250 * (i + 1), WIFSIGNALED(st) ? "killed" : "it had finished", done);
  }
}

// wait until the text is in the log or the process ended; 1 if it was seen
static int wait_for(const char* log, const char* text, pid_t pid) {
  const struct timespec pause = {0, 2000000};
  for (int polls = 0; polls < 60000; polls++) {
    char* t = sf_test_read(log, NULL);
    int seen = t && strstr(t, text);
    free(t);
    if (seen) return 1;
    if (waitpid(pid, NULL, WNOHANG) == pid) return 0;
    nanosleep(&pause, NULL);
  }
  return 0;
}

// SIGINT and SIGTERM stop the run after the round in progress is stored, with exit 130 and
// 143 and the command that resumes it; resuming gives the reference
static void test_stop_signals(void** state) {
  const char* ref = reference(6, NULL);
  char store[4096], log[4096];
  sf_test_path(store, sizeof(store), "safety_stop.h5");
  sf_test_path(log, sizeof(log), "safety_stop.log");
  int sigs[2] = {SIGINT, SIGTERM};
  for (int i = 0; i < 2; i++) {
    remove_store(store);
    char* argv[] = {"suturefleet", RUN_ARGS, "--rounds", "6", "--store", store, NULL};
    pid_t pid = sf_test_spawn(log, argv);
    assert_true(wait_for(log, "round 2/6", pid));
    assert_int_equal(kill(pid, sigs[i]), 0);
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_exit(st, 128 + sigs[i], log);
    char* text = sf_test_read(log, NULL);
    print_message("%s", text ? text : "");
    assert_contains(text, sigs[i] == SIGINT ? "stopped by SIGINT" : "stopped by SIGTERM");
    assert_contains(text, "--resume");
    free(text);
    assert_clean(store);
    int done = recover(store, log, ref);
    assert_true(done >= 2 && done < 6);
  }
}

// a second writer of any kind is refused at once, naming the holder's pid, while the first
// finishes undisturbed; readers are never blocked
static void test_second_writer(void** state) {
  const char* ref = reference(6, NULL);
  char store[4096], log[4096], lock[4200];
  sf_test_path(store, sizeof(store), "safety_two.h5");
  sf_test_path(log, sizeof(log), "safety_two.log");
  snprintf(lock, sizeof(lock), "%s.lock", store);
  remove_store(store);
  char* argv[] = {"suturefleet", RUN_ARGS, "--rounds", "6", "--store", store, NULL};
  pid_t pid = sf_test_spawn(log, argv);
  assert_true(wait_for(log, "round 1/6", pid));

  // --resume, --force, a plain new run: each refused with the pid; info reads meanwhile
  char want[64];
  snprintf(want, sizeof(want), "being written by process %ld", (long)pid);
  const char* const* tries[] = {
      (const char*[]){"run", "--store", store, "--resume", NULL},
      (const char*[]){"run", "--store", store, "--force", "--robots", "1", "--rounds", "1", NULL},
      (const char*[]){"run", "--store", store, "--rounds", "1", NULL}};
  for (int i = 0; i < 3; i++) {
    sfTestCli r = sf_test_cli(tries[i]);
    print_message("%s", r.err);
    assert_int_equal(r.code, 2);
    assert_contains(r.err, want);
    sf_test_cli_free(&r);
  }
  sfTestCli r = sf_test_cli((const char*[]){"info", store, NULL});
  assert_int_equal(r.code, 0);
  sf_test_cli_free(&r);

  // the first run ends as if alone
  int st = 0;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  assert_exit(st, 0, log);
  assert_same_store(ref, store);
  assert_clean(store);
}

// a small tmpfs at dir (root only); 0 if it cannot be mounted
static int mount_small(const char* dir, const char* size) {
  char cmd[8400];
  mkdir(dir, 0755);
  snprintf(cmd, sizeof(cmd), "umount '%s' 2>/dev/null; mount -t tmpfs -o size=%s tmpfs '%s'", dir,
           size, dir);
  return geteuid() == 0 && system(cmd) == 0;
}

static void unmount_small(const char* dir) {
  char cmd[8400];
  snprintf(cmd, sizeof(cmd), "umount '%s'", dir);
  assert_int_equal(system(cmd), 0);
}

// a full disk: exit 1 saying so, no crash, the store holds its complete rounds only; moved to a
// disk with space, --resume finishes it to the reference
static void test_full_disk(void** state) {
  const char* ref = reference(3, NULL);
  char dir[3000], store[4200], log[4096], moved[4096];
  sf_test_path(dir, sizeof(dir), "safety_disk");
  sf_test_path(log, sizeof(log), "safety_disk.log");
  sf_test_path(moved, sizeof(moved), "safety_disk_moved.h5");
  snprintf(store, sizeof(store), "%s/s.h5", dir);
  const char* sizes[] = {"600k", "300k", "64k"};  // the whole store is about 850k
  for (int i = 0; i < 3; i++) {
    if (!mount_small(dir, sizes[i])) {
      print_message("skipped: a small tmpfs cannot be mounted here (needs root)\n");
      skip();
    }
    int st = run_child(log, NULL, ARGV(RUN_ARGS, "--rounds", "3", "--store", store, "--quiet"));
    assert_exit(st, 1, log);
    char* text = sf_test_read(log, NULL);
    print_message("%s tmpfs: %s", sizes[i], text ? text : "");
    assert_contains(text, "No space left on device");
    free(text);

    // what is there is whole: info reads it; moved elsewhere, it resumes to the reference
    remove_store(moved);
    if (exists(store)) {
      sfTestCli r = sf_test_cli((const char*[]){"info", store, NULL});
      assert_int_equal(r.code, 0);
      sf_test_cli_free(&r);
      char journal[4300];
      snprintf(journal, sizeof(journal), "%s-journal", store);
      assert_false(exists(journal));
      sf_test_copy(store, moved);
    }
    unmount_small(dir);
    recover(moved, log, ref);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_second_writer),  cmocka_unit_test(test_stop_signals),
      cmocka_unit_test(test_kill_at_writes), cmocka_unit_test(test_kill_at_times),
      cmocka_unit_test(test_full_disk),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
