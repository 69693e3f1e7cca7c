// test_store_check.c: readers that validate. Copies of one small good store, each with one
// crafted defect (written here with the HDF5 API: one field of one row, or a root attribute),
// are refused by every reader (info, curves, replay, run --from, run --resume) with exit 2 and a
// message naming the store, the dataset, the row and the field, and are left unchanged; good
// stores of every kind (fleet, solo, both, joiners, --from, a run killed after a round's
// episodes) are accepted; sf_store_validate's messages, exactly.
#include "sf_test.h"

#include <hdf5.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store.h"
#include "store_check.h"

#define SCENE SF_MODEL_DIR "/suture_scene.xml"

// the good store: 2 + 2 robots (mode both) x 2 rounds, every episode recorded; episodes rows
// 0..3 are round 0 (robots 0..3), 4..7 round 1; knowledge rows 0..2 are round -1 (the fleet,
// solo robots 2 and 3), 3..5 round 0, 6..8 round 1
static char good[4096];

// the longest a reader may take (s): one that runs an experiment instead of refusing is killed
#define READER_MAX_S 60

// run the suturefleet binary (a fresh process) with args (NULL-terminated, argv[0] added),
// stdout and stderr into one log; returns its output (malloc'd) and its exit code in *code
// (128 + the signal if one ended it, or if it ran longer than READER_MAX_S and was killed)
static char* bin(const char* const* args, int* code) {
  char log[4096];
  sf_test_path(log, sizeof(log), "store_check.log");
  char* argv[40] = {"suturefleet"};
  int argc = 1;
  for (; args[argc - 1]; argc++) {
    assert_true(argc < 39);
    argv[argc] = (char*)args[argc - 1];
  }
  argv[argc] = NULL;
  pid_t pid = sf_test_spawn(log, argv);
  int status = 0;
  for (int waited = 0; waitpid(pid, &status, WNOHANG) == 0; waited++) {
    if (waited == READER_MAX_S * 50) kill(pid, SIGKILL);
    usleep(20000);
  }
  *code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  char* out = sf_test_read(log, NULL);
  assert_non_null(out);
  return out;
}

// bin, exit 0 expected
static void bin_ok(const char* const* args) {
  int code = 0;
  char* out = bin(args, &code);
  if (code != 0) print_error("suturefleet %s %s exited %d:\n%s\n", args[0], args[1], code, out);
  free(out);
  assert_int_equal(code, 0);
}

// a fresh path in the scratch directory (any old file removed)
static void fresh(char* buf, size_t n, const char* name) {
  sf_test_path(buf, n, name);
  unlink(buf);
}

// the good store, made once
static int setup(void** state) {
  fresh(good, sizeof(good), "sc_good.h5");
  const char* run[] = {"run",     "--robots", "2",       "--rounds", "2", "--join",
                       "none",    "--record", "all",     "--seed",   "3", "--quiet",
                       "--model", SCENE,      "--store", good,       NULL};
  bin_ok(run);
  return 0;
}

// --- crafting -------------------------------------------------------------------------------

// open a store's dataset /table for writing (the file id into *file)
static hid_t open_table(const char* path, const char* table, hid_t* file) {
  *file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  assert_true(*file >= 0);
  hid_t ds = H5Dopen2(*file, table, H5P_DEFAULT);
  assert_true(ds >= 0);
  return ds;
}

// read (write = 0) or write one member `field` (memory type mtype) of row `row` of /table
static void row_field(const char* path, const char* table, long row, const char* field, hid_t mtype,
                      void* value, int write) {
  hid_t file;
  hid_t ds = open_table(path, table, &file);
  hid_t t = H5Tcreate(H5T_COMPOUND, H5Tget_size(mtype));
  assert_true(H5Tinsert(t, field, 0, mtype) >= 0);
  hsize_t start[1] = {(hsize_t)row}, count[1] = {1};
  hid_t fspace = H5Dget_space(ds);
  hid_t mspace = H5Screate_simple(1, count, NULL);
  assert_true(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL) >= 0);
  herr_t rc = write ? H5Dwrite(ds, t, mspace, fspace, H5P_DEFAULT, value)
                    : H5Dread(ds, t, mspace, fspace, H5P_DEFAULT, value);
  assert_true(rc >= 0);
  H5Sclose(mspace);
  H5Sclose(fspace);
  H5Tclose(t);
  H5Dclose(ds);
  assert_true(H5Fclose(file) >= 0);
}

// set an integer field (int32, or int64 with wide) of one row
static void set_int(const char* path, const char* table, long row, const char* field, long long v,
                    int wide) {
  int32_t v32 = (int32_t)v;
  int64_t v64 = v;
  row_field(path, table, row, field, wide ? H5T_NATIVE_INT64 : H5T_NATIVE_INT32,
            wide ? (void*)&v64 : (void*)&v32, 1);
}

// set element k of a double[SF_MAX_THETA] field of one row
static void set_elem(const char* path, const char* table, long row, const char* field, int k,
                     double v) {
  hsize_t n = SF_MAX_THETA;
  hid_t a = H5Tarray_create2(H5T_NATIVE_DOUBLE, 1, &n);
  double values[SF_MAX_THETA];
  row_field(path, table, row, field, a, values, 0);
  values[k] = v;
  row_field(path, table, row, field, a, values, 1);
  H5Tclose(a);
}

// set a float64 field of /table row
static void set_real(const char* path, const char* table, long row, const char* field, double v) {
  double value = 0;
  row_field(path, table, row, field, H5T_NATIVE_DOUBLE, &value, 0);
  value = v;
  row_field(path, table, row, field, H5T_NATIVE_DOUBLE, &value, 1);
}

// cut /table to n rows
static void cut_table(const char* path, const char* table, hsize_t n) {
  hid_t file;
  hid_t ds = open_table(path, table, &file);
  assert_true(H5Dset_extent(ds, &n) >= 0);
  H5Dclose(ds);
  assert_true(H5Fclose(file) >= 0);
}

// replace (or with text NULL, delete) a root attribute; a fixed-length string of the text, or a
// variable-length one with vlen
static void set_attr(const char* path, const char* name, const char* text, int vlen) {
  hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  assert_true(file >= 0);
  if (H5Aexists(file, name) > 0) assert_true(H5Adelete(file, name) >= 0);
  if (text) {
    hid_t t = H5Tcopy(H5T_C_S1);
    assert_true(H5Tset_size(t, vlen ? H5T_VARIABLE : strlen(text) + 1) >= 0);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attr = H5Acreate2(file, name, t, space, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(attr >= 0);
    assert_true(H5Awrite(attr, t, vlen ? (const void*)&text : (const void*)text) >= 0);
    H5Aclose(attr);
    H5Sclose(space);
    H5Tclose(t);
  }
  assert_true(H5Fclose(file) >= 0);
}

// the configuration of the good store with the line starting `line` replaced by `with` (or
// dropped, with NULL), written back
static void edit_config(const char* path, const char* line, const char* with) {
  sfStoreData d;
  sfError e = {{0}};
  assert_int_equal(sf_store_read(good, &d, &e), SF_OK);
  char text[8192] = "";
  char* at = strstr(d.configuration, line);
  assert_non_null(at);
  char* end = strchr(at, '\n');
  assert_non_null(end);
  snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - d.configuration), d.configuration,
           with ? with : "", end + 1);
  sf_store_data_free(&d);
  set_attr(path, "configuration", text, 0);
}

static void config_empty(const char* p) {
  set_attr(p, "configuration", "", 0);
}
static void config_missing(const char* p) {
  set_attr(p, "configuration", NULL, 0);
}
static void config_vlen(const char* p) {
  set_attr(p, "configuration", "[run]\nrobots = 2\n", 1);
}
static void config_robots(const char* p) {
  edit_config(p, "robots = 2", "robots = 3\n");
}
static void config_rounds(const char* p) {
  edit_config(p, "rounds = 2", "rounds = 1\n");
}
static void config_no_robots(const char* p) {
  edit_config(p, "robots = 2", NULL);
}
static void seed_missing(const char* p) {
  set_attr(p, "seed", NULL, 0);
}
static void skill_names_vlen(const char* p) {
  set_attr(p, "skill_names", "a,b", 1);
}

// one crafted defect
typedef struct defect_ {
  const char* name;   // the test, and the store's file name
  const char* table;  // a field defect: the dataset; NULL: craft() makes the defect
  long row;           //   its row
  const char* field;  //   its field
  int kind;           //   0: int32, 1: int64, 2: element `elem` of a double array, 3: float64
  int elem;
  double value;                     //   the value written
  void (*craft)(const char* path);  // an attribute defect
  const char* words[3];             // what every reader's message names (NULL-terminated)
} defect;

// a defect in one field of one row (kind 0: int32, 1: int64, 2: element elem of a double array,
// 3: a float64)
#define FIELD(name, table, row, field, kind, elem, value, w0, w1) \
  {                                                               \
    name, table, row, field, kind, elem, value, NULL, {           \
      w0, w1, NULL                                                \
    }                                                             \
  }
// a defect craft() makes
#define CRAFTED(name, craft, w0, w1)       \
  {                                        \
    name, NULL, 0, NULL, 0, 0, 0, craft, { \
      w0, w1, NULL                         \
    }                                      \
  }

static const defect kDefects[] = {
    FIELD("robot_negative", "episodes", 3, "robot", 0, 0, -1, "/episodes row 3", "robot = -1"),
    FIELD("robot_out_of_range", "episodes", 3, "robot", 0, 0, 9, "/episodes row 3", "robot = 9"),
    FIELD("round_int_max", "episodes", 5, "round", 0, 0, 2147483647, "/episodes row 5",
          "round = 2147483647"),
    FIELD("round_beyond_rounds", "episodes", 5, "round", 0, 0, 2, "/episodes row 5", "round = 2,"),
    FIELD("stitches_1000", "episodes", 1, "stitches", 0, 0, 1000, "/episodes row 1",
          "stitches = 1000"),
    FIELD("first_pair_negative", "episodes", 1, "first_pair", 0, 0, -5, "/episodes row 1",
          "first_pair = -5"),
    FIELD("n_theta_99", "episodes", 2, "n_theta", 0, 0, 99, "/episodes row 2", "n_theta = 99"),
    FIELD("stitches_int_min", "episodes", 1, "stitches", 0, 0, -2147483648.0, "/episodes row 1",
          "stitches = -2147483648"),
    FIELD("cut_through_9", "episodes", 2, "cut_through", 0, 0, 9, "/episodes row 2",
          "cut_through = 9"),
    FIELD("cut_through_negative", "episodes", 2, "cut_through", 0, 0, -1, "/episodes row 2",
          "cut_through = -1"),
    FIELD("closure_2", "episodes", 3, "wound_closure", 3, 0, 2, "/episodes row 3",
          "wound_closure = 2, expected a share from 0 to 1"),
    FIELD("closure_nan", "episodes", 3, "wound_closure", 3, 0, NAN, "/episodes row 3",
          "wound_closure = nan"),
    FIELD("handovers_negative", "episodes", 2, "handovers", 0, 0, -1, "/episodes row 2",
          "handovers = -1"),
    FIELD("handovers_failed_negative", "episodes", 5, "handovers_failed", 0, 0, -3,
          "/episodes row 5", "handovers_failed = -3"),
    FIELD("handover_time_without_handover", "episodes", 1, "handover_time_s", 3, 0, 0.5,
          "/episodes row 1", "handover_time_s = 0.5 with 0 handovers"),
    FIELD("handover_without_time", "episodes", 6, "handovers", 0, 0, 1, "/episodes row 6",
          "handover_time_s = nan with 1 handovers"),
    FIELD("episode_id_sequence", "episodes", 4, "episode_id", 1, 0, 7, "/episodes row 4",
          "episode_id = 7"),
    FIELD("episode_twice", "episodes", 1, "robot", 0, 0, 0, "/episodes row 1",
          "one episode per robot and round"),
    FIELD("cohort_not_robots", "episodes", 2, "cohort", 0, 0, 0, "/episodes row 2", "cohort = 0"),
    FIELD("knowledge_mean_nan", "knowledge", 3, "mean", 2, 0, NAN, "/knowledge row 3",
          "mean[0] = nan"),
    FIELD("knowledge_sd_inf", "knowledge", 6, "sd", 2, 1, INFINITY, "/knowledge row 6",
          "sd[1] = inf"),
    FIELD("knowledge_sd_zero", "knowledge", 6, "sd", 2, 0, 0, "/knowledge row 6", "sd[0] = 0,"),
    FIELD("knowledge_robot_fleet", "knowledge", 4, "robot", 0, 0, 1, "/knowledge row 4",
          "robot = 1"),
    FIELD("robots_cohort", "robots", 1, "cohort", 0, 0, 1, "/robots row 1", "cohort = 1"),
    CRAFTED("config_empty", config_empty, "'configuration'", "is empty"),
    CRAFTED("config_missing", config_missing, "'configuration'", "is missing"),
    CRAFTED("config_vlen", config_vlen, "'configuration'", "variable-length"),
    CRAFTED("config_robots_disagree", config_robots, "/robots: 4 rows", "robots = 3"),
    CRAFTED("config_rounds_disagree", config_rounds, "/episodes: 8 rows", "rounds = 1"),
    CRAFTED("config_without_robots", config_no_robots, "'configuration'", "does not set 'robots'"),
    CRAFTED("seed_missing", seed_missing, "'seed'", "is missing"),
    CRAFTED("skill_names_vlen", skill_names_vlen, "'skill_names'", "variable-length"),
};
#define NDEFECT ((int)(sizeof(kDefects) / sizeof(kDefects[0])))

// make the defect in the store at path
static void craft(const defect* d, const char* path) {
  if (d->craft) {
    d->craft(path);
  } else if (d->kind == 2) {
    set_elem(path, d->table, d->row, d->field, d->elem, d->value);
  } else if (d->kind == 3) {
    set_real(path, d->table, d->row, d->field, d->value);
  } else {
    set_int(path, d->table, d->row, d->field, (long long)d->value, d->kind == 1);
  }
}

// --- the readers ----------------------------------------------------------------------------

#define NREADER 5
static const char* kReader[NREADER] = {"info", "curves", "replay", "run --from", "run --resume"};

// the command line of reader k on store (replay: episode id; --from: into the new store fresh)
static void reader_args(int k, const char* store, const char* id, const char* frames,
                        const char* fresh_store, const char** args) {
  const char* lines[NREADER][20] = {
      {"info", store, NULL},
      {"curves", store, NULL},
      {"replay", store, "--episode", id, "--out", frames, "--fps", "1", "--width", "16", "--height",
       "16", NULL},
      {"run", "--from", store, "--robots", "1", "--rounds", "1", "--join", "none", "--record",
       "none", "--quiet", "--model", SCENE, "--store", fresh_store, NULL},
      {"run", "--resume", "--store", store, "--quiet", NULL},
  };
  memcpy(args, lines[k], sizeof(lines[k]));
}

// every reader refuses the crafted store: exit 2, the store and every word in the message, no
// store made by --from; the store's bytes unchanged
static void test_defect(void** state) {
  const defect* d = *state;
  char path[4096], frames[4096], made[4096], name[128], id[32];
  snprintf(name, sizeof(name), "sc_%s.h5", d->name);
  fresh(path, sizeof(path), name);
  sf_test_path(frames, sizeof(frames), "sc_frames");
  fresh(made, sizeof(made), "sc_from_new.h5");
  snprintf(id, sizeof(id), "%ld", d->table && !strcmp(d->table, "episodes") ? d->row : 0L);
  sf_test_copy(good, path);
  craft(d, path);
  size_t n = 0, n_after = 0;
  char* before = sf_test_read(path, &n);
  assert_non_null(before);

  // each reader in its own process, so that a crash is one reader's failure
  char where[4200];
  snprintf(where, sizeof(where), "store '%s'", path);
  int failed = 0;
  for (int k = 0; k < NREADER; k++) {
    const char* args[20];
    reader_args(k, path, id, frames, made, args);
    int code = 0;
    char* out = bin(args, &code);
    int ok = code == 2 && strstr(out, where) != NULL;
    for (int w = 0; d->words[w]; w++) ok = ok && strstr(out, d->words[w]) != NULL;
    if (k == 3 && access(made, F_OK) == 0) ok = 0;
    print_message("%-22s %-12s exit %3d %s: %.*s\n", d->name, kReader[k], code,
                  ok ? "ok  " : "FAIL", (int)strcspn(out, "\n"), out);
    failed += !ok;
    free(out);
    unlink(made);
  }
  char* after = sf_test_read(path, &n_after);
  assert_non_null(after);
  int same = n == n_after && !memcmp(before, after, n);
  if (!same) print_error("%s: the store changed\n", d->name);
  free(before);
  free(after);
  assert_int_equal(failed, 0);
  assert_true(same);
}

// --- good stores ----------------------------------------------------------------------------

// every reader takes the good store: info, curves, replay of a recorded episode, --from, and
// --resume of the finished store (a copy)
static void test_good_store_accepted(void** state) {
  char copy[4096], frames[4096], made[4096];
  fresh(copy, sizeof(copy), "sc_good_copy.h5");
  sf_test_path(frames, sizeof(frames), "sc_frames_good");
  fresh(made, sizeof(made), "sc_good_from.h5");
  sf_test_copy(good, copy);
  for (int k = 0; k < NREADER; k++) {
    const char* args[20];
    reader_args(k, k == 4 ? copy : good, "5", frames, made, args);
    bin_ok(args);
  }
  const char* info[] = {"info", made, NULL};
  bin_ok(info);
}

// run a small store of the given kind (after run's fixed options) and read it with info and
// curves
static void run_and_read(const char* name, const char* const* kind) {
  char store[4096];
  fresh(store, sizeof(store), name);
  const char* args[40] = {"run", "--robots", "2", "--quiet", "--model", SCENE, "--store", store};
  int n = 8;
  while (*kind) args[n++] = *kind++;
  args[n] = NULL;
  bin_ok(args);
  const char* info[] = {"info", store, NULL};
  const char* curves[] = {"curves", store, NULL};
  bin_ok(info);
  bin_ok(curves);
}

// stores of every kind the writer makes are accepted: fleet and solo with joiners, both with
// joiners, two stitches and every third episode recorded, --from another store
static void test_good_kinds_accepted(void** state) {
  const char* fleet[] = {"--mode", "fleet",    "--rounds", "3", "--join",
                         "1@1",    "--record", "none",     NULL};
  const char* solo[] = {"--mode", "solo",     "--rounds", "3", "--join",
                        "1@2",    "--record", "none",     NULL};
  const char* both[] = {"--mode",  "both",       "--rounds", "3",        "--join",
                        "1@1,1@2", "--stitches", "2",        "--record", "every:3",
                        "--seed",  "5",          NULL};
  const char* from[] = {"--mode",   "fleet", "--rounds", "1",  "--join", "none",
                        "--record", "none",  "--from",   good, NULL};
  run_and_read("sc_kind_fleet.h5", fleet);
  run_and_read("sc_kind_solo.h5", solo);
  run_and_read("sc_kind_both.h5", both);
  run_and_read("sc_kind_from.h5", from);
}

// the episodes of two stores, equal row for row
static void assert_same_episodes(const char* a, const char* b) {
  sfStoreData x, y;
  sfError e = {{0}};
  assert_int_equal(sf_store_read(a, &x, &e), SF_OK);
  assert_int_equal(sf_store_read(b, &y, &e), SF_OK);
  assert_int_equal(x.nepisodes, y.nepisodes);
  assert_int_equal(memcmp(x.episodes, y.episodes, (size_t)x.nepisodes * sizeof(sfEpisodeRow)), 0);
  sf_store_data_free(&x);
  sf_store_data_free(&y);
}

// a run killed after round 1's episodes (its knowledge not written), or in the middle of them,
// is accepted by the readers, and --resume finishes it to the uninterrupted store's episodes
static void test_killed_run_accepted(void** state) {
  char store[4096];
  fresh(store, sizeof(store), "sc_killed.h5");
  sf_test_copy(good, store);
  cut_table(store, "knowledge", 6);
  const char* info[] = {"info", store, NULL};
  const char* curves[] = {"curves", store, NULL};
  int code = 0;
  char* out = bin(info, &code);
  assert_int_equal(code, 0);
  assert_contains(out, "8 episodes; 1 rounds complete");
  free(out);
  bin_ok(curves);

  // half of round 1's episodes, then resumed
  cut_table(store, "episodes", 6);
  bin_ok(info);
  const char* resume[] = {"run", "--resume", "--store", store, "--quiet", NULL};
  bin_ok(resume);
  assert_same_episodes(store, good);
}

// --- sf_store_validate's messages -------------------------------------------------------------

// validate the good store's data after change() edited it; the message (SF_OK: "")
static void validate_edited(void (*change)(sfStoreData*), char* msg, size_t n) {
  sfStoreData d;
  sfError e = {{0}};
  assert_int_equal(sf_store_read(good, &d, &e), SF_OK);
  change(&d);
  sftStatus st = sf_store_validate(&d, "x.h5", &e);
  snprintf(msg, n, "%s", st == SF_OK ? "" : e.msg);
  assert_int_equal(st, st == SF_OK ? SF_OK : SF_ERR_INPUT);
  sf_store_data_free(&d);
}

static void no_change(sfStoreData* d) {
  (void)d;
}
static void robot_minus_one(sfStoreData* d) {
  d->episodes[3].robot = -1;
}
static void round_max(sfStoreData* d) {
  d->episodes[5].round = 2147483647;
}
static void pair_too_far(sfStoreData* d) {
  d->episodes[6].first_pair = 8;
}
static void stitches_other(sfStoreData* d) {
  d->episodes[0].stitches = 2;
}
static void sd_negative(sfStoreData* d) {
  d->knowledge[8].sd[7] = -0.5;
}
static void mean_tail_nan(sfStoreData* d) {
  assert_int_equal(d->knowledge[8].n_theta, 12);
  d->knowledge[8].mean[12] = NAN;  // past n_theta: not a value
}
static void mean_last_nan(sfStoreData* d) {
  d->knowledge[8].mean[11] = NAN;  // handover_grasp_deg, the last value
}
static void handover_time_negative(sfStoreData* d) {
  d->episodes[7].handovers = 2;
  d->episodes[7].handover_time_s = -0.25;
}
static void handover_time_zero(sfStoreData* d) {
  d->episodes[7].handover_time_s = 0;  // with no handover: NaN expected
}
static void knowledge_first_round(sfStoreData* d) {
  d->knowledge[0].round = 0;
}
static void knowledge_twice(sfStoreData* d) {
  d->knowledge[7].robot = 3;
}
static void episodes_ahead(sfStoreData* d) {
  d->nknowledge = 3;  // only the start's knowledge: round 1's episodes are a round too far
}
static void robots_missing(sfStoreData* d) {
  d->nrobots = 3;
}
static void context_other(sfStoreData* d) {
  d->robots[2].context_robot = 1;
}
static void seed_other(sfStoreData* d) {
  d->seed = 4;
}
static void ended_in_clash(sfStoreData* d) {  // a two-arm episode whose instruments met
  d->episodes[2].end_reason = SF_END_CLASH;
  d->episodes[2].ended_early = 1;
  d->episodes[2].completed = d->episodes[2].success = 0;
}
static void end_reason_unknown(sfStoreData* d) {
  d->episodes[2].end_reason = SF_END_CLASH + 1;
  d->episodes[2].ended_early = 1;
}

// the exact messages for a handful of defects, and the good store's data with its tail cut
// (a killed run) accepted
static void test_validate_messages(void** state) {
  static const struct {
    void (*change)(sfStoreData*);
    const char* msg;
  } cases[] = {
      {no_change, ""},
      {mean_tail_nan, ""},
      {mean_last_nan, "store 'x.h5': /knowledge row 8: mean[11] = nan, expected a finite number"},
      {handover_time_negative,
       "store 'x.h5': /episodes row 7: handover_time_s = -0.25 with 2 handovers, expected a time "
       "of at least 0 when there are handovers and NaN when there are none"},
      {handover_time_zero,
       "store 'x.h5': /episodes row 7: handover_time_s = 0 with 0 handovers, expected a time of "
       "at least 0 when there are handovers and NaN when there are none"},
      {robot_minus_one,
       "store 'x.h5': /episodes row 3: robot = -1, expected a robot id in /robots (0..3)"},
      {round_max,
       "store 'x.h5': /episodes row 5: round = 2147483647, expected a round of its "
       "configuration (0..1)"},
      {pair_too_far,
       "store 'x.h5': /episodes row 6: first_pair = 8, expected a first entry/exit pair with "
       "room for its stitches (0..7)"},
      {stitches_other,
       "store 'x.h5': /episodes row 0: stitches = 2, expected its configuration's stitches (1)"},
      {sd_negative, "store 'x.h5': /knowledge row 8: sd[7] = -0.5, expected a finite number > 0"},
      {knowledge_first_round,
       "store 'x.h5': /knowledge row 0: round = 0, expected the start's rows first (-1)"},
      {knowledge_twice,
       "store 'x.h5': /knowledge row 8: round = 1, expected a round with no knowledge row for "
       "its robot yet (one per round) (>= 2)"},
      {episodes_ahead,
       "store 'x.h5': /episodes row 4: round = 1, expected at most 0: /knowledge ends at round "
       "-1, and only the last round's knowledge may be missing"},
      {robots_missing,
       "store 'x.h5': /robots: 3 rows, expected the 4 robots its configuration makes (robots = "
       "2, mode both, 0 join groups)"},
      {context_other,
       "store 'x.h5': /robots row 2: context_robot = 1, expected the robot whose contexts its "
       "configuration gives it (0)"},
      {seed_other,
       "store 'x.h5': root attribute 'seed' = 4, expected its configuration's seed (3)"},
      {ended_in_clash, ""},
      {end_reason_unknown,
       "store 'x.h5': /episodes row 2: end_reason = 9, expected an end reason "
       "(datasets/README.md) (0..8)"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char msg[1024];
    validate_edited(cases[i].change, msg, sizeof(msg));
    assert_string_equal(msg, cases[i].msg);
  }
}

int main(void) {
  struct CMUnitTest tests[NDEFECT + 4];
  for (int i = 0; i < NDEFECT; i++) {
    tests[i] = (struct CMUnitTest){kDefects[i].name, test_defect, NULL, NULL, (void*)&kDefects[i]};
  }
  tests[NDEFECT] = (struct CMUnitTest)cmocka_unit_test(test_good_store_accepted);
  tests[NDEFECT + 1] = (struct CMUnitTest)cmocka_unit_test(test_good_kinds_accepted);
  tests[NDEFECT + 2] = (struct CMUnitTest)cmocka_unit_test(test_killed_run_accepted);
  tests[NDEFECT + 3] = (struct CMUnitTest)cmocka_unit_test(test_validate_messages);
  return _cmocka_run_group_tests("store_check", tests, NDEFECT + 4, setup, NULL);
}
