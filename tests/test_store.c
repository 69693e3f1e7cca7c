// test_store.c: the HDF5 store written by the suturefleet binary (one fleet cohort): h5dump
// reads it, root attributes, /episodes rows (equal to the same episodes run in-process), the
// layout of /episodes, /robots and /knowledge, independence from the thread count, SWMR
// readers.
#include "sf_test.h"

#include <hdf5.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <mujoco/mujoco.h>

#include "controller.h"
#include "episode.h"
#include "scene.h"

#define SCENE SF_MODEL_DIR "/suture_scene.xml"

// run the suturefleet binary with the given arguments (one shell word each), output to
// SF_TEST_TMP/<log>; returns its exit code
static int run_bin(const char* log, const char* args) {
  char cmd[16384];
  snprintf(cmd, sizeof(cmd), "'%s' %s > '%s/%s' 2>&1", SF_TEST_BIN, args, SF_TEST_TMP, log);
  int rc = system(cmd);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// a fresh store path in the scratch directory (any old file removed)
static void store_path(char* buf, size_t n, const char* name) {
  sf_test_path(buf, n, name);
  unlink(buf);
}

// run robots x rounds (one fleet cohort) with seed and threads into store; exit code 0 expected
static void run_store(const char* store, int robots, int rounds, int seed, int threads) {
  char args[4600];
  snprintf(args, sizeof(args),
           "run --robots %d --rounds %d --seed %d --threads %d --mode fleet --join none --model "
           "'%s' --store '%s'",
           robots, rounds, seed, threads, SCENE, store);
  int rc = run_bin("store_run.log", args);
  if (rc != 0) {
    char log[4096];
    sf_test_path(log, sizeof(log), "store_run.log");
    char* text = sf_test_read(log, NULL);
    print_error("suturefleet %s exited %d:\n%s\n", args, rc, text ? text : "");
    free(text);
  }
  assert_int_equal(rc, 0);
}

// the main store of the group: 4 robots x 2 rounds, seed 7, one thread
static int setup(void** state) {
  static char path[4096];
  store_path(path, sizeof(path), "store_s7_t1.h5");
  run_store(path, 4, 2, 7, 1);
  *state = path;
  return 0;
}

// a string attribute of the root into buf (n bytes)
static void attr_string(hid_t file, const char* name, char* buf, size_t n) {
  hid_t a = H5Aopen(file, name, H5P_DEFAULT);
  if (a < 0) print_error("no attribute '%s'\n", name);
  assert_true(a >= 0);
  hid_t t = H5Aget_type(a);
  assert_int_equal(H5Tget_class(t), H5T_STRING);
  assert_false(H5Tis_variable_str(t));
  assert_true(H5Tget_size(t) < n);
  memset(buf, 0, n);
  assert_true(H5Aread(a, t, buf) >= 0);
  H5Tclose(t);
  H5Aclose(a);
}

// an integer attribute of the root, with its stored size (bytes) and signedness checked
static uint64_t attr_uint(hid_t file, const char* name, size_t size, H5T_sign_t sign) {
  hid_t a = H5Aopen(file, name, H5P_DEFAULT);
  assert_true(a >= 0);
  hid_t t = H5Aget_type(a);
  assert_int_equal(H5Tget_class(t), H5T_INTEGER);
  assert_int_equal(H5Tget_size(t), size);
  assert_int_equal(H5Tget_sign(t), sign);
  uint64_t v = 0;
  assert_true(H5Aread(a, H5T_NATIVE_UINT64, &v) >= 0);
  H5Tclose(t);
  H5Aclose(a);
  return v;
}

// h5dump reads the whole store
static void test_h5dump_reads(void** state) {
  char cmd[8192];
  snprintf(cmd, sizeof(cmd), "h5dump '%s' > '%s/store_dump.txt' 2>&1", (const char*)*state,
           SF_TEST_TMP);
  assert_int_equal(system(cmd), 0);
}

// root attributes as datasets/README.md documents them
static void test_root_attributes(void** state) {
  hid_t f = H5Fopen(*state, H5F_ACC_RDONLY, H5P_DEFAULT);
  assert_true(f >= 0);
  char buf[8192];
  attr_string(f, "format", buf, sizeof(buf));
  assert_string_equal(buf, "suturefleet");
  assert_int_equal(attr_uint(f, "schema_version", 4, H5T_SGN_2), 5);
  attr_string(f, "controller", buf, sizeof(buf));
  assert_string_equal(buf, "scripted-arc");
  attr_string(f, "controller_hash", buf, sizeof(buf));
  assert_string_equal(buf, "built-in");
  attr_string(f, "skill_names", buf, sizeof(buf));
  assert_string_equal(buf,
                      "bite_angle_deg,plane_yaw_deg,entry_dx_mm,entry_dy_mm,entry_dz_mm,"
                      "drive_speed_dps,drive_angle_deg,regrasp_deg,pull_tension_N,pull_angle_deg,"
                      "handover_lift_mm,handover_grasp_deg");
  attr_string(f, "suturefleet_version", buf, sizeof(buf));
  assert_string_equal(buf, SF_VERSION);
  attr_string(f, "mujoco_version", buf, sizeof(buf));
  assert_string_equal(buf, mj_versionString());
  attr_string(f, "model_path", buf, sizeof(buf));
  assert_string_equal(buf, SCENE);
  assert_int_equal(attr_uint(f, "seed", 8, H5T_SGN_NONE), 7);

  // model hash: 16 lowercase hex digits, the hash of the model as loaded here
  attr_string(f, "model_hash", buf, sizeof(buf));
  assert_int_equal(strlen(buf), 16);
  assert_int_equal(strspn(buf, "0123456789abcdef"), 16);
  sfScene s;
  sfError e = {{0}};
  assert_int_equal(sf_scene_load(&s, SCENE, &e), SF_OK);
  char want[32];
  snprintf(want, sizeof(want), "%016llx", (unsigned long long)s.model_hash);
  sf_scene_free(&s);
  assert_string_equal(buf, want);

  // configuration: the run's settings as INI lines, the thread count left out
  attr_string(f, "configuration", buf, sizeof(buf));
  assert_contains(buf, "[run]\n");
  assert_contains(buf, "robots = 4\n");
  assert_contains(buf, "rounds = 2\n");
  assert_contains(buf, "seed = 7\n");
  assert_contains(buf, "stitches = 1\n");
  assert_contains(buf, "join = none\n");
  assert_contains(buf, "mode = fleet\n");
  assert_contains(buf, "controller = scripted-arc\n");
  assert_contains(buf, "model = " SCENE "\n");
  assert_null(strstr(buf, "threads"));
  H5Fclose(f);
}

// the columns of /episodes this test reads (names and units as in datasets/README.md)
typedef struct row_ {
  int64_t episode_id;
  int32_t round, robot, cohort, join_round, steps, stitches, first_pair, n_theta, throws_ok;
  int32_t insertions, handovers, handovers_failed;
  char controller[32];
  double sim_time_s, line_offset_mm, grasp_angle_deg, puncture_N, tear_mm, calib_bias_mm[3];
  double theta[SF_MAX_THETA], entry_err_mm, exit_err_mm, time_s, trauma_mm2, peak_force_N;
  double handover_time_s;
  uint8_t completed, dropped, diverged, fault, success;
} row;

// all rows of /episodes of the open file f (at most max); returns the count
static int read_rows(hid_t f, row* rows, int max) {
  hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(row));
  hid_t name = H5Tcopy(H5T_C_S1);
  H5Tset_size(name, sizeof(rows[0].controller));
  hsize_t n3 = 3, nth = SF_MAX_THETA;
  hid_t a3 = H5Tarray_create2(H5T_NATIVE_DOUBLE, 1, &n3);
  hid_t ath = H5Tarray_create2(H5T_NATIVE_DOUBLE, 1, &nth);
#define COL(field, type) assert_true(H5Tinsert(t, #field, HOFFSET(row, field), type) >= 0)
  COL(episode_id, H5T_NATIVE_INT64);
  COL(round, H5T_NATIVE_INT32);
  COL(robot, H5T_NATIVE_INT32);
  COL(cohort, H5T_NATIVE_INT32);
  COL(join_round, H5T_NATIVE_INT32);
  COL(steps, H5T_NATIVE_INT32);
  COL(stitches, H5T_NATIVE_INT32);
  COL(first_pair, H5T_NATIVE_INT32);
  COL(n_theta, H5T_NATIVE_INT32);
  COL(throws_ok, H5T_NATIVE_INT32);
  COL(insertions, H5T_NATIVE_INT32);
  COL(handovers, H5T_NATIVE_INT32);
  COL(handovers_failed, H5T_NATIVE_INT32);
  COL(handover_time_s, H5T_NATIVE_DOUBLE);
  COL(controller, name);
  COL(sim_time_s, H5T_NATIVE_DOUBLE);
  COL(line_offset_mm, H5T_NATIVE_DOUBLE);
  COL(grasp_angle_deg, H5T_NATIVE_DOUBLE);
  COL(puncture_N, H5T_NATIVE_DOUBLE);
  COL(tear_mm, H5T_NATIVE_DOUBLE);
  COL(calib_bias_mm, a3);
  COL(theta, ath);
  COL(entry_err_mm, H5T_NATIVE_DOUBLE);
  COL(exit_err_mm, H5T_NATIVE_DOUBLE);
  COL(time_s, H5T_NATIVE_DOUBLE);
  COL(trauma_mm2, H5T_NATIVE_DOUBLE);
  COL(peak_force_N, H5T_NATIVE_DOUBLE);
  COL(completed, H5T_NATIVE_UINT8);
  COL(dropped, H5T_NATIVE_UINT8);
  COL(diverged, H5T_NATIVE_UINT8);
  COL(fault, H5T_NATIVE_UINT8);
  COL(success, H5T_NATIVE_UINT8);
#undef COL
  hid_t ds = H5Dopen2(f, "/episodes", H5P_DEFAULT);
  assert_true(ds >= 0);
  hid_t sp = H5Dget_space(ds);
  hsize_t dims[1] = {0};
  assert_int_equal(H5Sget_simple_extent_ndims(sp), 1);
  H5Sget_simple_extent_dims(sp, dims, NULL);
  assert_true(dims[0] <= (hsize_t)max);
  if (dims[0] > 0) assert_true(H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0);
  H5Sclose(sp);
  H5Dclose(ds);
  H5Tclose(ath);
  H5Tclose(a3);
  H5Tclose(name);
  H5Tclose(t);
  return (int)dims[0];
}

// equal doubles, NaN equal to NaN (the store writes NaN for "none")
static void assert_same(double a, double b) {
  if (isnan(a) && isnan(b)) return;
  assert_near(a, b, 0);
}

// 8 rows in (round, robot) order, episode_id = round * 4 + robot; each row holds what the same
// episode gives when run in-process (seed 7, the robot's own calibration error, the row's
// skill), field by field
static void test_episode_rows(void** state) {
  // read and close first, so a failed check leaves no open file to the tests after it
  hid_t f = H5Fopen(*state, H5F_ACC_RDONLY, H5P_DEFAULT);
  assert_true(f >= 0);
  row rows[16];
  int nrows = read_rows(f, rows, 16);
  H5Fclose(f);
  assert_int_equal(nrows, 8);
  sfScene s;
  sfWorker w;
  sfError e = {{0}};
  const sfController* ctrl = sf_test_scripted_arc();
  const sfSkillDef* def = &ctrl->skill;
  assert_int_equal(sf_scene_load(&s, SCENE, &e), SF_OK);
  assert_int_equal(sf_worker_make(&w, &s, ctrl, &e), SF_OK);
  const double dt = s.m->opt.timestep;
  int calibrated_differ = 0;
  for (int i = 0; i < 8; i++) {
    const row* r = &rows[i];
    assert_int_equal(r->episode_id, i);
    assert_int_equal(r->round, i / 4);
    assert_int_equal(r->robot, i % 4);
    assert_int_equal(r->cohort, 0);  // fleet
    assert_int_equal(r->join_round, 0);
    assert_string_equal(r->controller, "scripted-arc");
    assert_int_equal(r->stitches, 1);
    assert_in_range(r->first_pair, 0, 3);

    // simulated time is the steps taken; time_s is it when completed, else the 14 s limit
    assert_near(r->sim_time_s, r->steps * dt, 1e-9);
    assert_near(r->time_s, r->completed ? r->sim_time_s : SF_THROW_TIME_S, 1e-9);
    assert_int_equal(r->diverged, 0);
    assert_int_equal(r->fault, 0);
    assert_int_equal(r->success, r->completed && r->throws_ok == 1 && !r->dropped &&
                                     r->trauma_mm2 <= SF_TRAUMA_MAX_MM2);

    // the skill: def->n (12) values within their bounds, NaN past them
    assert_int_equal(r->n_theta, def->n);
    for (int k = 0; k < SF_MAX_THETA; k++) {
      if (k < def->n) assert_true(r->theta[k] >= def->lo[k]);
      if (k < def->n) assert_true(r->theta[k] <= def->hi[k]);
      if (k >= def->n) assert_true(isnan(r->theta[k]));
    }

    // the same episode in-process: the row is its result in the store's units
    sfEpisodeSpec spec = {.seed = 7,
                          .robot = i % 4,
                          .context_robot = i % 4,
                          .round = i / 4,
                          .episode_id = i,
                          .stitches = 1,
                          .calibrated = 0,
                          .theta = r->theta};
    sfEpisodeResult x;
    sf_episode_run(&s, &w, &spec, &x);
    assert_int_equal(r->steps, x.steps);
    assert_int_equal(r->first_pair, x.ctx.first_pair);
    assert_near(r->line_offset_mm, 1000 * x.ctx.line_offset_m, 0);
    assert_near(r->grasp_angle_deg, (180.0 / 3.141592653589793) * x.ctx.grasp_angle_rad, 0);
    assert_near(r->puncture_N, x.ctx.puncture_N, 0);
    assert_near(r->tear_mm, x.ctx.tear_mm, 0);
    for (int k = 0; k < 3; k++) assert_near(r->calib_bias_mm[k], 1000 * x.ctx.calib.bias_m[k], 0);
    assert_same(r->entry_err_mm, x.entry_err_mm);
    assert_same(r->exit_err_mm, x.exit_err_mm);
    assert_near(r->trauma_mm2, x.trauma_mm2, 0);
    assert_near(r->peak_force_N, x.peak_force_N, 0);
    assert_int_equal(r->insertions, x.insertions);
    // schema 5: the handovers, none in the one-arm scene (no handover time: NaN)
    assert_int_equal(r->handovers, x.handovers);
    assert_int_equal(r->handovers_failed, x.handovers_failed);
    assert_same(r->handover_time_s, x.handover_s);
    assert_int_equal(r->handovers, 0);
    assert_int_equal(r->handovers_failed, 0);
    assert_true(isnan(r->handover_time_s));
    assert_int_equal(r->throws_ok, x.throws_ok);
    assert_int_equal(r->completed, x.completed);
    assert_int_equal(r->dropped, x.dropped);
    assert_int_equal(r->success, x.success);

    // run gives robots their calibration error (shared part within +-2.5 mm, own part within
    // +-1.2 mm), not zero
    for (int k = 0; k < 3; k++) assert_true(fabs(r->calib_bias_mm[k]) <= 3.7);
    calibrated_differ += r->calib_bias_mm[0] != 0;
  }
  assert_int_equal(calibrated_differ, 8);
  sf_worker_free(&w);
  sf_scene_free(&s);
}

// every table has one unlimited dimension, chunks of 512 rows, deflate; rows in mode fleet
// with 4 robots x 2 rounds: 8 episodes, 4 robots, 3 knowledge rows (the fleet's at the start
// and after each round)
static void test_table_layout(void** state) {
  static const struct {
    const char* name;
    hsize_t rows;
  } tables[] = {{"/episodes", 8}, {"/robots", 4}, {"/knowledge", 3}};
  hid_t f = H5Fopen(*state, H5F_ACC_RDONLY, H5P_DEFAULT);
  assert_true(f >= 0);
  for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
    hid_t ds = H5Dopen2(f, tables[i].name, H5P_DEFAULT);
    if (ds < 0) print_error("no dataset %s\n", tables[i].name);
    assert_true(ds >= 0);
    hid_t sp = H5Dget_space(ds);
    hsize_t dims[1], maxdims[1], chunk[1];
    assert_int_equal(H5Sget_simple_extent_ndims(sp), 1);
    H5Sget_simple_extent_dims(sp, dims, maxdims);
    assert_int_equal(dims[0], tables[i].rows);
    assert_true(maxdims[0] == H5S_UNLIMITED);
    hid_t dcpl = H5Dget_create_plist(ds);
    assert_int_equal(H5Pget_layout(dcpl), H5D_CHUNKED);
    assert_int_equal(H5Pget_chunk(dcpl, 1, chunk), 1);
    assert_int_equal(chunk[0], 512);
    unsigned flags;
    size_t nelem = 0;
    assert_int_equal(H5Pget_filter2(dcpl, 0, &flags, &nelem, NULL, 0, NULL, NULL),
                     H5Z_FILTER_DEFLATE);
    H5Pclose(dcpl);
    H5Sclose(sp);
    H5Dclose(ds);
  }
  H5Fclose(f);
}

// h5dump of /episodes at full precision, without its first line (the file name)
static char* dump_episodes(const char* store, const char* name) {
  char out[4096], cmd[12000];
  sf_test_path(out, sizeof(out), name);
  snprintf(cmd, sizeof(cmd), "h5dump -m %%.17g -d /episodes '%s' | tail -n +2 > '%s'", store, out);
  assert_int_equal(system(cmd), 0);
  char* text = sf_test_read(out, NULL);
  assert_non_null(text);
  assert_contains(text, "DATASET \"/episodes\"");
  return text;
}

// results do not depend on the thread count; they do depend on the seed
static void test_threads_do_not_change_results(void** state) {
  char t2[4096], s8[4096];
  store_path(t2, sizeof(t2), "store_s7_t2.h5");
  store_path(s8, sizeof(s8), "store_s8_t2.h5");
  run_store(t2, 4, 2, 7, 2);
  run_store(s8, 4, 2, 8, 2);
  char* a = dump_episodes(*state, "store_s7_t1.txt");
  char* b = dump_episodes(t2, "store_s7_t2.txt");
  char* c = dump_episodes(s8, "store_s8_t2.txt");
  assert_string_equal(a, b);
  assert_true(strcmp(a, c) != 0);
  free(a);
  free(b);
  free(c);
}

// the configuration attribute reruns the experiment: --config with it gives the same rows
static void test_configuration_reruns(void** state) {
  hid_t f = H5Fopen(*state, H5F_ACC_RDONLY, H5P_DEFAULT);
  assert_true(f >= 0);
  char text[8192], ini[4096], store[4096], args[9000];
  attr_string(f, "configuration", text, sizeof(text));
  H5Fclose(f);
  sf_test_path(ini, sizeof(ini), "store_rerun.ini");
  sf_test_write(ini, text);
  store_path(store, sizeof(store), "store_rerun.h5");
  snprintf(args, sizeof(args), "run --config '%s' --threads 2 --store '%s'", ini, store);
  assert_int_equal(run_bin("store_rerun.log", args), 0);
  char* a = dump_episodes(*state, "store_s7_t1.txt");
  char* b = dump_episodes(store, "store_rerun.txt");
  assert_string_equal(a, b);
  free(a);
  free(b);
}

// a SWMR reader opens the finished store and sees every row
static void test_swmr_reader_after_run(void** state) {
  hid_t f = H5Fopen(*state, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT);
  assert_true(f >= 0);
  unsigned intent = 0;
  assert_true(H5Fget_intent(f, &intent) >= 0);
  assert_true(intent & H5F_ACC_SWMR_READ);
  row rows[16];
  assert_int_equal(read_rows(f, rows, 16), 8);
  assert_int_equal(rows[7].episode_id, 7);
  H5Fclose(f);
}

// a SWMR reader follows a run while it writes: it opens the store before the run ends, sees
// whole rounds appear (never a partial round), and at the end every row
static void test_swmr_reader_during_run(void** state) {
  enum { ROBOTS = 2, ROUNDS = 16 };
  char store[4096], log[4096], robots[16], rounds[16];
  store_path(store, sizeof(store), "store_swmr_live.h5");
  sf_test_path(log, sizeof(log), "store_swmr_live.log");
  snprintf(robots, sizeof(robots), "%d", ROBOTS);
  snprintf(rounds, sizeof(rounds), "%d", ROUNDS);
  char* argv[] = {"suturefleet", "run",       "--robots", robots,   "--rounds",
                  rounds,        "--threads", "2",        "--mode", "fleet",
                  "--join",      "none",      "--record", "none",   "--model",
                  SCENE,         "--store",   store,      NULL};
  pid_t pid = sf_test_spawn(log, argv);

  // poll: open as soon as the writer allows, then refresh and count rows until it exits
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = -1, ds = -1;
  int status = 0, exited = 0, opened_while_running = 0, seen_partial = 0;
  hsize_t last = 0;
  const struct timespec pause = {0, 2000000};  // 2 ms
  while (!exited) {
    exited = waitpid(pid, &status, WNOHANG) == pid;
    if (f < 0) {
      f = H5Fopen(store, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT);
      if (f >= 0) ds = H5Dopen2(f, "/episodes", H5P_DEFAULT);
      if (f >= 0 && !exited) opened_while_running = 1;
    }
    if (ds >= 0 && H5Drefresh(ds) >= 0) {
      hid_t sp = H5Dget_space(ds);
      hsize_t dims[1] = {0};
      H5Sget_simple_extent_dims(sp, dims, NULL);
      H5Sclose(sp);
      assert_true(dims[0] >= last);           // rows are only appended
      assert_int_equal(dims[0] % ROBOTS, 0);  // a round at a time
      if (dims[0] > 0 && dims[0] < ROBOTS * ROUNDS) seen_partial = 1;
      last = dims[0];
    }
    if (!exited) nanosleep(&pause, NULL);
  }
  print_message("SWMR reader: opened while running %d, saw a partial store %d, last %d rows\n",
                opened_while_running, seen_partial, (int)last);
  assert_true(WIFEXITED(status));
  if (WEXITSTATUS(status) != 0) {
    char* text = sf_test_read(log, NULL);
    print_message("the run exited %d with the reader open:\n%s", WEXITSTATUS(status), text);
    free(text);
    if (ds >= 0) H5Dclose(ds);
    if (f >= 0) H5Fclose(f);
    known_bug(
        "sim/store.c:274 sf_store_open: the writer reopens the closed store every round "
        "with file locking, which fails while a reader holds the file open");
  }
  assert_int_equal(WEXITSTATUS(status), 0);
  assert_true(opened_while_running);
  assert_true(seen_partial);
  if (ds >= 0) H5Dclose(ds);
  if (f >= 0) H5Fclose(f);

  // after the run a fresh reader sees everything
  f = H5Fopen(store, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT);
  assert_true(f >= 0);
  row rows[ROBOTS * ROUNDS];
  assert_int_equal(read_rows(f, rows, ROBOTS * ROUNDS), ROBOTS * ROUNDS);
  H5Fclose(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_h5dump_reads),
      cmocka_unit_test(test_root_attributes),
      cmocka_unit_test(test_episode_rows),
      cmocka_unit_test(test_table_layout),
      cmocka_unit_test(test_threads_do_not_change_results),
      cmocka_unit_test(test_configuration_reruns),
      cmocka_unit_test(test_swmr_reader_after_run),
      cmocka_unit_test(test_swmr_reader_during_run),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
