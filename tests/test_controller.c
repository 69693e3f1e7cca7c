// test_controller.c: controller plug-ins (sim/controller.c and the episode's use of them). The
// template example loads with its name, ABI version, skill values and file hash, unloads on
// close (also after 50 open/close cycles) and runs under 'suturefleet eval'. Every kind of
// broken plug-in (missing file, directory, not a shared object, no entry symbol, entry
// returning NULL, unresolved symbol, unknown ABI version, short table (of version 1, or of
// version 3 without its arms), bad name, missing required function, bad skill values, bad aim,
// bad arm count) is refused with its own message naming the
// file, by sf_controller_open with nothing left loaded and by the real binary's eval and run
// with exit code 2 and no store written or replaced. A plug-in writing NaN controls has every
// episode of a run fault-flagged (the store records its name and file hash); one writing a
// finite out-of-range control is clamped, fault-flagged and runs to the time limit; one whose
// step returns a value outside SFC_RUN/THROW_DONE/GIVE_UP ends the episode, fault-flagged.
// No code from a store: replay and run --resume of a plug-in store load only the file given with
// --controller, and only when its hash is the store's, checked before dlopen; a plug-in whose
// constructor leaves a marker file shows that nothing a store names, or a file of another hash,
// is ever loaded.
#include "sf_test.h"

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mujoco/mujoco.h>

#include "controller.h"
#include "episode.h"
#include "scene.h"
#include "store.h"
#include "store_check.h"

#define ARGS(...) ((const char* const[]){__VA_ARGS__, NULL})
#define SCENE SF_MODEL_DIR "/suture_scene.xml"
#define PLUGIN(name) SF_TEST_PLUGINS "/" name ".so"

// what a run of the real suturefleet binary produced
typedef struct binRun_ {
  int code;   // exit code
  char* out;  // its stdout (malloc'd)
  char* err;  // its stderr (malloc'd)
} binRun;

// run SF_TEST_BIN with args (NULL-terminated, argv[0] added) to its exit, output captured
static binRun run_bin(const char* const* args) {
  char* argv[64];
  sf_test_argv(args, argv);
  char out[4096], err[4096];
  sf_test_path(out, sizeof(out), "ctl_bin.out");
  sf_test_path(err, sizeof(err), "ctl_bin.err");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid;
  assert_int_equal(posix_spawn(&pid, SF_TEST_BIN, &fa, NULL, argv, environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  binRun r = {WEXITSTATUS(status), sf_test_read(out, NULL), sf_test_read(err, NULL)};
  assert_non_null(r.out);
  assert_non_null(r.err);
  return r;
}

static void bin_free(binRun* r) {
  free(r->out);
  free(r->err);
  r->out = r->err = NULL;
}

// FNV-1a 64 of a file's bytes as 16 hex digits, computed here independently of the loader
static void file_fnv(const char* path, char hex[24]) {
  size_t n = 0;
  char* bytes = sf_test_read(path, &n);
  assert_non_null(bytes);
  assert_true(n > 0);
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)bytes[i];
    h *= 0x100000001b3ull;
  }
  free(bytes);
  snprintf(hex, 24, "%016llx", (unsigned long long)h);
}

// whether the shared object at path is loaded in this process now (RTLD_NOLOAD loads nothing)
static int is_loaded(const char* path) {
  void* h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
  if (h) dlclose(h);
  return h != NULL;
}

// the template's table through sf_controller_open: name, ABI version and size, every skill
// value, the file's path and hash, the handle; closing zeroes the controller and unloads the file
static void test_template_open(void** state) {
  sfController c;
  sfError e = {{0}};
  assert_false(is_loaded(SF_TEST_TEMPLATE));
  sftStatus st = sf_controller_open(SF_TEST_TEMPLATE, &c, &e);
  if (st != SF_OK) print_error("%s\n", e.msg);
  assert_int_equal(st, SF_OK);
  assert_string_equal(e.msg, "");
  assert_string_equal(c.name, "template");
  assert_string_equal(c.api->name, "template");
  assert_int_equal(c.api->abi_version, SFC_ABI_VERSION);
  assert_int_equal(SFC_ABI_VERSION, 3);
  assert_int_equal(c.api->arms, 0);  // the first arm only (0 counts as 1)
  assert_int_equal(c.api->size, sizeof(sfcController));
  assert_non_null(c.api->create);
  assert_non_null(c.api->reset);
  assert_non_null(c.api->step);
  assert_non_null(c.api->destroy);
  assert_string_equal(c.file.path, SF_TEST_TEMPLATE);
  assert_non_null(c.file.dl);
  assert_true(is_loaded(SF_TEST_TEMPLATE));

  // the hash: 16 lowercase hex digits, the FNV-1a 64 of the file
  char hex[24];
  file_fnv(SF_TEST_TEMPLATE, hex);
  assert_int_equal(strlen(c.file.hash), 16);
  assert_int_equal(strspn(c.file.hash, "0123456789abcdef"), 16);
  assert_string_equal(c.file.hash, hex);
  assert_string_not_equal(c.file.hash, SF_BUILTIN_HASH);

  // the skill vector, as examples/template.c declares it
  static const char* names[3] = {"hover_mm", "move_s", "hold_s"};
  static const double lo[3] = {1, 0.3, 0}, hi[3] = {20, 3, 2}, ref[3] = {5, 1, 0.5};
  static const double mean[3] = {8, 1.5, 0.5}, sd[3] = {3, 0.4, 0.2};
  const sfSkillDef* k = &c.skill;
  assert_int_equal(k->n, 3);
  for (int i = 0; i < 3; i++) {
    assert_string_equal(k->name[i], names[i]);
    assert_string_equal(k->unit[i], i == 0 ? "mm" : "s");
    assert_near(k->lo[i], lo[i], 0);
    assert_near(k->hi[i], hi[i], 0);
    assert_near(k->ref[i], ref[i], 0);
    assert_near(k->prior_mean[i], mean[i], 0);
    assert_near(k->prior_sd[i], sd[i], 0);
  }
  assert_int_equal(k->has_aim, 0);
  assert_near(k->aim_z_per_chord, 0, 0);

  // closing unloads the file and zeroes the controller; closing again is harmless
  sf_controller_close(&c);
  assert_null(c.api);
  assert_null(c.file.dl);
  assert_string_equal(c.name, "");
  assert_string_equal(c.file.path, "");
  assert_false(is_loaded(SF_TEST_TEMPLATE));
  sf_controller_close(&c);
  sf_controller_close(NULL);
}

// 50 open/close cycles give the same controller each time and leave nothing loaded (the
// sanitizer build would report a leak or a use after unload); two controllers opened from one
// file share it until both are closed
static void test_template_open_close_many(void** state) {
  char hash[24] = "";
  for (int i = 0; i < 50; i++) {
    sfController c;
    sfError e = {{0}};
    assert_int_equal(sf_controller_open(SF_TEST_TEMPLATE, &c, &e), SF_OK);
    assert_string_equal(c.name, "template");
    assert_int_equal(c.skill.n, 3);
    assert_string_equal(c.skill.name[2], "hold_s");
    if (i == 0) snprintf(hash, sizeof(hash), "%s", c.file.hash);
    assert_string_equal(c.file.hash, hash);
    sf_controller_close(&c);
    assert_false(is_loaded(SF_TEST_TEMPLATE));
  }
  sfController a, b;
  sfError e = {{0}};
  assert_int_equal(sf_controller_open(SF_TEST_TEMPLATE, &a, &e), SF_OK);
  assert_int_equal(sf_controller_open(SF_TEST_TEMPLATE, &b, &e), SF_OK);
  assert_ptr_equal(a.api, b.api);
  sf_controller_close(&a);
  assert_true(is_loaded(SF_TEST_TEMPLATE));
  assert_string_equal(b.skill.name[0], "hover_mm");
  sf_controller_close(&b);
  assert_false(is_loaded(SF_TEST_TEMPLATE));
}

// the valid build of the broken plug-ins' source opens: each broken build differs only in its
// defect; so does its build as a version-2 table
static void test_table_ok(void** state) {
  sfController c;
  sfError e = {{0}};
  sftStatus st = sf_controller_open(PLUGIN("table_ok"), &c, &e);
  if (st != SF_OK) print_error("%s\n", e.msg);
  assert_int_equal(st, SF_OK);
  assert_string_equal(c.name, "bad-table");
  assert_int_equal(c.skill.n, 2);
  assert_string_equal(c.skill.name[1], "width_mm");
  assert_string_equal(c.skill.unit[0], "");
  assert_int_equal(c.api->abi_version, SFC_ABI_VERSION);
  assert_int_equal(c.arms, 1);
  sf_controller_close(&c);

  // the same table of version 2 (no arms field: its size ends with destroy) still opens,
  // driving one arm
  st = sf_controller_open(PLUGIN("table_v2"), &c, &e);
  if (st != SF_OK) print_error("%s\n", e.msg);
  assert_int_equal(st, SF_OK);
  assert_int_equal(c.api->abi_version, 2);
  assert_int_equal(c.api->size, offsetof(sfcController, arms));
  assert_int_equal(c.arms, 1);
  assert_int_equal(c.skill.n, 2);
  sf_controller_close(&c);
}

// one broken plug-in and the problem its message states after "controller plug-in 'PATH': "
typedef struct badKind_ {
  const char* path;     // the plug-in
  const char* problem;  // the message's rest (exact), or its start when detail is set
  const char* detail;   // NULL, or what the rest of a system-dependent message contains
} badKind;

// the bogus.so text file and the broken kinds (bogus.so is written by write_bogus)
#define BOGUS SF_TEST_TMP "/ctl_bogus.so"
#define MISSING SF_TEST_TMP "/ctl_no_such_plugin.so"
#define DIRECTORY SF_TEST_TMP "/ctl_plugin_dir.so"

static char small_table_problem[128], v3_small_table_problem[128];

static const badKind kBad[] = {
    {MISSING,
     "No such file or directory (expected a shared object built against "
     "include/suturefleet/controller.h)",
     NULL},
    {DIRECTORY, "not a regular file", NULL},
    {BOGUS, "cannot be loaded as a shared object: ", "invalid ELF header"},
    {PLUGIN("unresolved"),
     "cannot be loaded as a shared object: ", "undefined symbol: sf_test_undefined_function"},
    {PLUGIN("no_entry"),
     "no entry symbol 'suturefleet_controller_entry' (expected 'SFC_EXPORT const "
     "sfcController* suturefleet_controller_entry(void)')",
     NULL},
    {PLUGIN("bad_null_entry"), "suturefleet_controller_entry() returned NULL", NULL},
    {PLUGIN("bad_abi_version"), "controller ABI version 99; this suturefleet knows versions 1 to 3",
     NULL},
    {PLUGIN("bad_small_table"), small_table_problem, NULL},
    {PLUGIN("bad_v3_small_table"), v3_small_table_problem, NULL},
    {PLUGIN("bad_arms"), "controller 'bad-table' drives 3 arms; expected 1 (or 0: one arm) or 2",
     NULL},
    {PLUGIN("bad_name"), "controller name missing or not 1..31 letters, digits, '-' or '_'", NULL},
    {PLUGIN("bad_no_create"), "controller 'bad-table' lacks the required function 'create'", NULL},
    {PLUGIN("bad_no_reset"), "controller 'bad-table' lacks the required function 'reset'", NULL},
    {PLUGIN("bad_no_step"), "controller 'bad-table' lacks the required function 'step'", NULL},
    {PLUGIN("bad_no_params"), "controller 'bad-table' declares 0 skill values; expected 1..16",
     NULL},
    {PLUGIN("bad_lo_ge_hi"), "skill value 'width_mm' has bounds [3, 3]; expected lo < hi", NULL},
    {PLUGIN("bad_ref_outside"),
     "skill value 'width_mm' has reference 6 and prior mean 3; expected both within its bounds "
     "[1, 5]",
     NULL},
    {PLUGIN("bad_mean_outside"),
     "skill value 'width_mm' has reference 2 and prior mean 0.5; expected both within its "
     "bounds [1, 5]",
     NULL},
    {PLUGIN("bad_prior_sd"), "skill value 'width_mm' has prior SD 0; expected > 0", NULL},
    {PLUGIN("bad_nan_bound"), "skill value 'width_mm' has a non-finite bound, reference or prior",
     NULL},
    {PLUGIN("bad_dup_name"), "skill value name 'gain' appears twice", NULL},
    {PLUGIN("bad_aim"),
     "controller 'bad-table' aim value 2 is 5; expected a skill value index 0..1", NULL},
};
#define NBAD ((int)(sizeof(kBad) / sizeof(kBad[0])))

// the scratch files the broken kinds need: a text file named .so, a directory named .so, no
// file at MISSING; and the short table's expected sizes
static void make_bad_files(void) {
  sf_test_write(BOGUS,
                "this is a text file named like a shared object; dlopen must refuse it, "
                "whatever its name says\n");
  unlink(MISSING);
  assert_true(mkdir(DIRECTORY, 0755) == 0 || errno == EEXIST);
  // version 1 ends with destroy, version 3 with arms (after destroy)
  snprintf(small_table_problem, sizeof(small_table_problem),
           "controller table of %zu bytes; version 1 needs at least %zu",
           offsetof(sfcController, destroy), offsetof(sfcController, arms));
  snprintf(
      v3_small_table_problem, sizeof(v3_small_table_problem),
      "controller 'bad-table' has a version 3 table of %zu bytes; version 3 needs at least %zu",
      offsetof(sfcController, arms), offsetof(sfcController, arms) + sizeof(int));
}

// check message msg (after the given prefix, e.g. "suturefleet eval: ") against kind k
static void check_message(const char* msg, const char* prefix, const badKind* k) {
  char want[2048];
  snprintf(want, sizeof(want), "%scontroller plug-in '%s': %s", prefix, k->path, k->problem);
  if (!k->detail) {
    assert_string_equal(msg, want);
    return;
  }
  if (strncmp(msg, want, strlen(want))) {
    print_error("message:\n%s\ndoes not start with:\n%s\n", msg, want);
    fail();
  }
  assert_contains(msg + strlen(want), k->path);  // dlerror names the file too
  assert_contains(msg + strlen(want), k->detail);
}

// each broken plug-in is refused by sf_controller_open with SF_ERR_INPUT and its own message
// naming the file, the controller left zeroed and the file not left loaded; no two kinds share
// a message
static void test_bad_open(void** state) {
  make_bad_files();
  char msgs[NBAD][1024];
  for (int i = 0; i < NBAD; i++) {
    const badKind* k = &kBad[i];
    sfController c;
    memset(&c, 0xab, sizeof(c));
    sfError e = {{0}};
    sftStatus st = sf_controller_open(k->path, &c, &e);
    print_message("%s\n", e.msg);
    assert_int_equal(st, SF_ERR_INPUT);
    check_message(e.msg, "", k);
    assert_null(c.api);
    assert_null(c.file.dl);
    assert_string_equal(c.name, "");
    if (strstr(k->path, SF_TEST_PLUGINS)) {
      assert_int_equal(access(k->path, R_OK), 0);  // the plug-in was built
      assert_false(is_loaded(k->path));
    }
    snprintf(msgs[i], sizeof(msgs[i]), "%s", e.msg + strlen(k->path));
    for (int j = 0; j < i; j++) assert_string_not_equal(msgs[i], msgs[j]);
    sf_controller_close(&c);
  }
}

// the real binary refuses each broken plug-in: 'eval' and 'run' exit with code 2, nothing on
// stdout, the message names the file; run creates no store, and with --force leaves an existing
// file untouched; without --force the controller is reported before the existing store
static void test_bad_cli(void** state) {
  make_bad_files();
  char store[4096], kept[4096];
  sf_test_path(store, sizeof(store), "ctl_bad_store.h5");
  sf_test_path(kept, sizeof(kept), "ctl_kept_store.h5");
  const char* precious = "not a store, and it must survive a refused run\n";
  for (int i = 0; i < NBAD; i++) {
    const badKind* k = &kBad[i];
    print_message("%s\n", k->path);

    binRun r = run_bin(ARGS("eval", "--controller", k->path, "--episodes", "1"));
    assert_int_equal(r.code, 2);
    assert_string_equal(r.out, "");
    assert_true(r.err[0] && r.err[strlen(r.err) - 1] == '\n');
    r.err[strlen(r.err) - 1] = 0;
    check_message(r.err, "suturefleet eval: ", k);
    bin_free(&r);

    unlink(store);
    r = run_bin(
        ARGS("run", "--controller", k->path, "--robots", "1", "--rounds", "1", "--store", store));
    assert_int_equal(r.code, 2);
    assert_string_equal(r.out, "");
    r.err[strcspn(r.err, "\n")] = 0;
    check_message(r.err, "suturefleet run: ", k);
    assert_int_equal(access(store, F_OK), -1);
    bin_free(&r);

    sf_test_write(kept, precious);
    r = run_bin(ARGS("run", "--controller", k->path, "--robots", "1", "--rounds", "1", "--store",
                     kept, "--force"));
    assert_int_equal(r.code, 2);
    r.err[strcspn(r.err, "\n")] = 0;
    check_message(r.err, "suturefleet run: ", k);
    char* text = sf_test_read(kept, NULL);
    assert_non_null(text);
    assert_string_equal(text, precious);
    free(text);
    bin_free(&r);
  }

  // an existing store without --force: the controller is what is reported
  sf_test_write(kept, precious);
  binRun r = run_bin(ARGS("run", "--controller", PLUGIN("bad_no_step"), "--robots", "1", "--rounds",
                          "1", "--store", kept));
  assert_int_equal(r.code, 2);
  assert_contains(r.err, "lacks the required function 'step'");
  char* text = sf_test_read(kept, NULL);
  assert_string_equal(text, precious);
  free(text);
  bin_free(&r);
}

// 'suturefleet eval' runs the template: exit 0, two episodes reported under its path, none
// faulty (it gives up after its hold, so none succeeds)
static void test_template_eval(void** state) {
  binRun r = run_bin(ARGS("eval", "--controller", SF_TEST_TEMPLATE, "--episodes", "2"));
  print_message("%s%s", r.out, r.err);
  assert_int_equal(r.code, 0);
  assert_string_equal(r.err, "");
  char head[4200];
  snprintf(head, sizeof(head),
           "2 episodes, seed 1, 1 stitch(es), calibration none, controller %s\n", SF_TEST_TEMPLATE);
  assert_contains(r.out, head);
  assert_contains(r.out, "success rate   0.000");
  assert_contains(r.out, "completed 0, dropped 0, faults 0, diverged 0");
  bin_free(&r);
}

// the impedance-arc example: its table (13 skill values, the entry corrections as aim values, two
// arms) and, with its reference skill, 6 episodes of which every one succeeds, through the real
// binary, with less trauma than the 2 mm^2 limit; and two stitches in the two-arm scene, the
// needle handed back once in each
static void test_impedance_example(void** state) {
  sfController c;
  sfError e = {{0}};
  assert_int_equal(sf_controller_open(SF_TEST_IMPEDANCE, &c, &e), SF_OK);
  assert_string_equal(c.name, "impedance-arc");
  assert_int_equal(c.skill.n, 13);
  assert_int_equal(c.api->abi_version, SFC_ABI_VERSION);  // built against the header: 3
  assert_int_equal(c.api->arms, 2);                       // it drives both arms of a scene
  assert_int_equal(c.arms, 2);
  assert_string_equal(c.skill.name[12], "handover_grasp_deg");
  assert_int_equal(c.skill.has_aim, 1);
  assert_string_equal(c.skill.name[c.skill.aim[0]], "entry_dx_mm");
  assert_string_equal(c.skill.name[c.skill.aim[2]], "entry_dz_mm");
  sf_controller_close(&c);
  binRun r = run_bin(ARGS("eval", "--controller", SF_TEST_IMPEDANCE, "--episodes", "6", "--json"));
  print_message("%s%s", r.out, r.err);
  assert_int_equal(r.code, 0);
  assert_contains(r.out, "\"success_rate\": 1.0000");
  assert_contains(r.out, "\"faults\": 0");
  assert_contains(r.out, "\"stiffness_N_per_mm\": ");
  bin_free(&r);
  r = run_bin(ARGS("eval", "--controller", SF_TEST_IMPEDANCE, "--episodes", "2", "--stitches", "2",
                   "--json"));
  print_message("%s%s", r.out, r.err);
  assert_int_equal(r.code, 0);
  assert_contains(r.out, "\"success_rate\": 1.0000");
  assert_contains(r.out, "\"handovers\": 1.0000, \"handovers_failed\": 0");
  bin_free(&r);
}

// a version-1 plug-in (impedance-arc built as it was before the thread, -DIM_ABI_V1) still
// loads and runs: its table of version 1 is accepted, its 9 skill values are its own, its
// episodes run to their end without a fault; it never tensions the thread (it cannot see it),
// so its stitches stay loose and fail on closure, as the task now demands
static void test_version1_plugin(void** state) {
  sfController c;
  sfError e = {{0}};
  assert_int_equal(sf_controller_open(SF_TEST_IMPEDANCE_V1, &c, &e), SF_OK);
  assert_int_equal(c.api->abi_version, 1);
  assert_int_equal(c.skill.n, 9);
  sf_controller_close(&c);
  binRun r =
      run_bin(ARGS("eval", "--controller", SF_TEST_IMPEDANCE_V1, "--episodes", "4", "--json"));
  print_message("%s%s", r.out, r.err);
  assert_int_equal(r.code, 0);
  assert_contains(r.out, "\"faults\": 0");
  assert_contains(r.out, "\"completed_rate\": 1.0000");
  assert_contains(r.out, "\"success_rate\": 0.0000");
  assert_contains(r.out, "\"cut_through\": 0");
  const char* c0 = strstr(r.out, "\"wound_closure\": ");
  assert_non_null(c0);
  double closure = strtod(c0 + strlen("\"wound_closure\": "), NULL);
  assert_true(closure >= 0 && closure < SF_CLOSURE_MIN);
  bin_free(&r);
}

// a plug-in whose absolute path does not fit an INI line of the store's configuration is
// refused before the store is created (it could not be resumed or replayed otherwise)
static void test_long_plugin_path(void** state) {
  char dir[4096], so[4200], store[4096], cmd[8400];
  snprintf(dir, sizeof(dir), "%s/ctl_%0200d", SF_TEST_TMP, 0);
  snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", dir);
  assert_int_equal(system(cmd), 0);
  snprintf(so, sizeof(so), "%s/t.so", dir);
  sf_test_copy(SF_TEST_TEMPLATE, so);
  sf_test_path(store, sizeof(store), "ctl_long.h5");
  unlink(store);
  binRun r =
      run_bin(ARGS("run", "--controller", so, "--robots", "1", "--rounds", "1", "--store", store));
  print_message("%s", r.err);
  assert_int_equal(r.code, 2);
  assert_contains(r.err, "cannot be stored and read back");
  assert_int_equal(access(store, F_OK), -1);
  bin_free(&r);
}

// a store remembers its plug-in: the configuration names the file by its absolute path,
// --resume with that file changed (another build: another hash) is refused with exit 2 and the
// store keeps its bytes; --from imports knowledge only between controllers with the same skill
// value names
static void test_store_remembers_plugin(void** state) {
  char so[4096], store[4096], other[4096];
  sf_test_path(so, sizeof(so), "ctl_mine.so");
  sf_test_path(store, sizeof(store), "ctl_mine.h5");
  sf_test_path(other, sizeof(other), "ctl_other.h5");
  sf_test_copy(SF_TEST_TEMPLATE, so);
  remove(store);
  remove(other);
  binRun r = run_bin(ARGS("run", "--controller", so, "--robots", "1", "--rounds", "2", "--join",
                          "none", "--store", store));
  assert_int_equal(r.code, 0);
  bin_free(&r);
  r = run_bin(ARGS("info", store));
  char line[4200], hash[24];
  snprintf(line, sizeof(line), "controller = %s\n", so);
  assert_contains(r.out, line);
  file_fnv(so, hash);
  snprintf(line, sizeof(line), "controller template (%s)\n", hash);
  assert_contains(r.out, line);
  bin_free(&r);

  // the plug-in file replaced by another build: refused before it is loaded, with or without
  // --controller naming it
  size_t n0 = 0, n1 = 0;
  char* before = sf_test_read(store, &n0);
  sf_test_copy(PLUGIN("table_ok"), so);
  char now[24], msg[12000];
  file_fnv(so, now);
  r = run_bin(ARGS("run", "--store", store, "--resume"));
  print_message("%s", r.err);
  assert_int_equal(r.code, 2);
  assert_contains(r.err, "pass --controller PATH to load it");
  assert_contains(r.err, hash);
  bin_free(&r);
  r = run_bin(ARGS("run", "--store", store, "--resume", "--controller", so));
  print_message("%s", r.err);
  assert_int_equal(r.code, 2);
  snprintf(msg, sizeof(msg),
           "controller plug-in '%s' (hash %s) is not the controller store '%s' was written with "
           "(hash %s); the file was not loaded",
           so, now, store, hash);
  assert_contains(r.err, msg);
  bin_free(&r);
  char* after = sf_test_read(store, &n1);
  assert_int_equal(n0, n1);
  assert_memory_equal(before, after, n0);
  free(before);
  free(after);

  // the built-in's skill is not the template's
  r = run_bin(ARGS("run", "--from", store, "--robots", "1", "--rounds", "1", "--join", "none",
                   "--store", other));
  print_message("%s", r.err);
  assert_int_equal(r.code, 2);
  assert_contains(r.err,
                  "its knowledge is for the skill values (hover_mm,move_s,hold_s) of "
                  "controller 'template'");
  assert_int_equal(access(other, F_OK), -1);
  bin_free(&r);
}

// a run with the NaN plug-in completes (exit 0); every episode of both cohorts is a fault, none
// a success, each ended at the NaN (its 51st controller call: 50 controller periods of 2 ms,
// 0.1 s of physics steps); the store names the controller and the FNV-1a 64 of its file
static void test_nan_run(void** state) {
  char store[4096], hex[24];
  sf_test_path(store, sizeof(store), "ctl_nan.h5");
  unlink(store);
  file_fnv(PLUGIN("nan_ctrl"), hex);
  binRun r = run_bin(ARGS("run", "--controller", PLUGIN("nan_ctrl"), "--robots", "3", "--rounds",
                          "2", "--join", "none", "--store", store));
  print_message("%s%s", r.out, r.err);
  assert_int_equal(r.code, 0);
  sfScene sc = {0};
  sfError se = {{0}};
  assert_int_equal(sf_scene_load(&sc, SCENE, &se), SF_OK);
  char wrote[128];
  snprintf(wrote, sizeof(wrote), "wrote 12 episodes (%d steps, 0 diverged, 12 faults)",
           12 * 50 * sc.ctrl_every);
  sf_scene_free(&sc);
  assert_contains(r.out, wrote);
  assert_contains(r.out, "success rate 0.000");
  bin_free(&r);

  sfStoreData d;
  sfError e = {{0}};
  sftStatus st = sf_store_read(store, &d, &e);
  if (st != SF_OK) print_error("%s\n", e.msg);
  assert_int_equal(st, SF_OK);
  assert_string_equal(d.controller, "nan-ctrl");
  assert_string_equal(d.controller_hash, hex);
  assert_string_equal(d.skill_names, "jaw_rad");
  assert_int_equal(d.nepisodes, 12);  // 3 robots x 2 rounds x 2 cohorts (mode both)
  for (long i = 0; i < d.nepisodes; i++) {
    const sfEpisodeRow* w = &d.episodes[i];
    assert_int_equal(w->fault, 1);
    assert_int_equal(w->success, 0);
    assert_int_equal(w->completed, 0);
    assert_int_equal(w->diverged, 0);
    assert_int_equal(w->dropped, 0);
    assert_int_equal(w->steps, 50 * sc.ctrl_every);
    assert_int_equal(w->end_reason, 5);  // SF_END_FAULT
    assert_int_equal(w->ended_early, 1);
    assert_near(w->sim_time_s, 0.1, 1e-9);
    assert_string_equal(w->controller, "nan-ctrl");
    assert_int_equal(strlen(w->controller_hash), 16);
    assert_int_equal(strspn(w->controller_hash, "0123456789abcdef"), 16);
    assert_string_equal(w->controller_hash, hex);
  }
  sf_store_data_free(&d);

  // 'info --json' reports the same controller and hash
  r = run_bin(ARGS("info", store, "--json"));
  assert_int_equal(r.code, 0);
  char want[128];
  snprintf(want, sizeof(want), "\"controller\": \"nan-ctrl\", \"controller_hash\": \"%s\"", hex);
  assert_contains(r.out, want);
  bin_free(&r);
}

// one calibrated episode of the plug-in at path with its reference skill, in process; the
// worker's last applied controls go to ctrl_out (nu values)
static sfEpisodeResult plugin_episode(const char* path, const sfScene* s, double* ctrl_out) {
  sfController c;
  sfWorker w;
  sfError e = {{0}};
  assert_int_equal(sf_controller_open(path, &c, &e), SF_OK);
  sftStatus st = sf_worker_make(&w, s, &c, &e);
  if (st != SF_OK) print_error("%s\n", e.msg);
  assert_int_equal(st, SF_OK);
  sfEpisodeSpec spec = {.seed = 1,
                        .robot = 0,
                        .context_robot = 0,
                        .round = 0,
                        .episode_id = 0,
                        .stitches = 1,
                        .calibrated = 1,
                        .theta = c.skill.ref};
  sfEpisodeResult r;
  sf_episode_run(s, &w, &spec, &r);
  mju_copy(ctrl_out, w.d->ctrl, s->m->nu);
  sf_worker_free(&w);
  sf_controller_close(&c);
  assert_false(is_loaded(path));
  return r;
}

// in process: the NaN control ends the episode at the call that wrote it (a fault, the NaN never
// reaches MuJoCo); the finite out-of-range jaw control is clamped to the jaw's range and the
// episode, a fault, runs to the time limit without diverging or dropping the needle
static void test_fault_episodes(void** state) {
  sfScene s = {0};
  sfError e = {{0}};
  assert_int_equal(sf_scene_load(&s, SCENE, &e), SF_OK);
  const mjModel* m = s.m;
  double ctrl[64];
  assert_true(m->nu <= 64);

  sfEpisodeResult r = plugin_episode(PLUGIN("nan_ctrl"), &s, ctrl);
  assert_int_equal(r.fault, 1);
  assert_int_equal(r.success + r.completed + r.diverged + r.dropped, 0);
  assert_int_equal(r.steps, 50 * s.ctrl_every);  // the 51st controller call
  for (int i = 0; i < m->nu; i++) assert_true(isfinite(ctrl[i]));

  r = plugin_episode(PLUGIN("range_ctrl"), &s, ctrl);
  int full = (int)lround(SF_THROW_TIME_S / m->opt.timestep);
  assert_int_equal(full, (int)lround(14.0 / m->opt.timestep));
  assert_int_equal(r.fault, 1);
  assert_int_equal(r.success + r.completed + r.diverged + r.dropped, 0);
  assert_int_equal(r.steps, full);
  assert_near(r.sim_time_s, SF_THROW_TIME_S, 1e-9);
  int jaw = s.arm.act[SFC_AXIS_JAW];
  assert_near(ctrl[jaw], m->actuator_ctrlrange[2 * jaw], 0);
  assert_near(ctrl[jaw], -0.3491, 1e-12);
  sf_scene_free(&s);

  // the binary reports it as a fault too
  binRun b = run_bin(ARGS("eval", "--controller", PLUGIN("range_ctrl"), "--episodes", "1"));
  assert_int_equal(b.code, 0);
  assert_contains(b.out, "completed 0, dropped 0, faults 1, diverged 0");
  bin_free(&b);
}

// a step result outside the ABI's set (return_ctrl returns 7 from its 51st call) ends the
// episode at that call as a controller fault, like a NaN control: 0.1 s, never a success;
// the binary counts it as a fault
static void test_bad_return(void** state) {
  sfScene s = {0};
  sfError e = {{0}};
  assert_int_equal(sf_scene_load(&s, SCENE, &e), SF_OK);
  double ctrl[64];
  assert_true(s.m->nu <= 64);
  sfEpisodeResult r = plugin_episode(PLUGIN("return_ctrl"), &s, ctrl);
  assert_int_equal(r.fault, 1);
  assert_int_equal(r.success + r.completed + r.diverged + r.dropped, 0);
  assert_int_equal(r.steps, 50 * s.ctrl_every);
  assert_near(r.sim_time_s, 0.1, 1e-9);
  sf_scene_free(&s);

  binRun b = run_bin(ARGS("eval", "--controller", PLUGIN("return_ctrl"), "--episodes", "2"));
  assert_int_equal(b.code, 0);
  assert_contains(b.out, "completed 0, dropped 0, faults 2, diverged 0");
  bin_free(&b);
}

// rewrite the string attribute name on the root of the store at path
static void set_root_string(const char* path, const char* name, const char* value) {
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  assert_true(f >= 0);
  assert_true(H5Adelete(f, name) >= 0);
  hid_t type = H5Tcopy(H5T_C_S1);
  assert_true(type >= 0 && H5Tset_size(type, strlen(value) + 1) >= 0);
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(f, name, type, sp, H5P_DEFAULT, H5P_DEFAULT);
  assert_true(a >= 0 && H5Awrite(a, type, value) >= 0);
  H5Aclose(a);
  H5Sclose(sp);
  H5Tclose(type);
  assert_true(H5Fclose(f) >= 0);
}

// the store's configuration with its controller line replaced by 'controller = spec'
static void set_stored_controller(const char* path, const char* spec) {
  sfStoreData d;
  sfError e = {{0}};
  assert_int_equal(sf_store_read(path, &d, &e), SF_OK);
  char text[16384];
  const char* at = strstr(d.configuration, "controller = ");
  assert_non_null(at);
  const char* end = strchr(at, '\n');
  assert_non_null(end);
  snprintf(text, sizeof(text), "%.*scontroller = %s%s", (int)(at - d.configuration),
           d.configuration, spec, end);
  sf_store_data_free(&d);
  set_root_string(path, "configuration", text);
}

// the marker file of ctor_marker.so's constructor, and the scratch files of the trust tests
#define MARKER SF_TEST_TMP "/ctl_ctor_marker.txt"
#define TRUST_SO SF_TEST_TMP "/ctl_trust.so"
#define CTOR_SO SF_TEST_TMP "/ctl_ctor.so"
#define FRAMES SF_TEST_TMP "/ctl_trust_frames"

// a short run of the plug-in so into a new store (1 fleet robot, 2 rounds, nothing recorded:
// replay must simulate its episodes again)
static void trust_store(const char* so, const char* store) {
  remove(store);
  binRun r = run_bin(ARGS("run", "--controller", so, "--robots", "1", "--rounds", "2", "--join",
                          "none", "--mode", "fleet", "--record", "none", "--store", store));
  if (r.code != 0) print_error("%s", r.err);
  assert_int_equal(r.code, 0);
  bin_free(&r);
}

// replay of episode 0 and run --resume of store, with --controller ctrl (NULL: none): both exit
// with code, each message containing want (when not NULL); the marker is never made unless
// marked
static void trust_try(const char* store, const char* ctrl, int code, const char* want, int marked) {
  binRun r[2];
  if (ctrl) {
    r[0] = run_bin(ARGS("replay", store, "--episode", "0", "--out", FRAMES, "--width", "64",
                        "--height", "48", "--fps", "30", "--controller", ctrl));
    r[1] = run_bin(ARGS("run", "--store", store, "--resume", "--controller", ctrl));
  } else {
    r[0] = run_bin(ARGS("replay", store, "--episode", "0", "--out", FRAMES, "--width", "64",
                        "--height", "48", "--fps", "30"));
    r[1] = run_bin(ARGS("run", "--store", store, "--resume"));
  }
  for (int i = 0; i < 2; i++) {
    print_message("%s %s: exit %d %s", store, ctrl ? ctrl : "(no --controller)", r[i].code,
                  r[i].err);
    assert_int_equal(r[i].code, code);
    if (want) assert_contains(r[i].err, want);
    bin_free(&r[i]);
  }
  assert_int_equal(access(MARKER, F_OK), marked ? 0 : -1);
}

// no code from a store. A store written by ctor_marker.so (its constructor marks each load in a
// file, as hostile code named by a store would run), and a copy of a template store whose
// configuration is rewritten to name ctor_marker.so with the hash 'built-in': replay and run
// --resume without --controller exit 2 saying which option to give, and nothing is loaded; with
// --controller naming another file (whose hash is not the store's) they exit 2 naming both
// hashes, and nothing is loaded, ctor_marker.so given for a template store included (the hash is
// checked before dlopen); with the right file both work, and only ctor_marker.so given for its
// own store makes the marker
static void test_no_code_from_store(void** state) {
  char good[4096], ctor[4096], forged[4096], want[16384], th[24], ch[24];
  sf_test_path(good, sizeof(good), "ctl_trust.h5");
  sf_test_path(ctor, sizeof(ctor), "ctl_trust_ctor.h5");
  sf_test_path(forged, sizeof(forged), "ctl_trust_forged.h5");
  sf_test_copy(SF_TEST_TEMPLATE, TRUST_SO);
  sf_test_copy(PLUGIN("ctor_marker"), CTOR_SO);
  file_fnv(TRUST_SO, th);
  file_fnv(CTOR_SO, ch);
  unsetenv("SF_TEST_CTOR_MARKER");
  trust_store(TRUST_SO, good);
  trust_store(CTOR_SO, ctor);
  sf_test_copy(good, forged);
  set_stored_controller(forged, CTOR_SO);
  set_root_string(forged, "controller_hash", SF_BUILTIN_HASH);
  remove(MARKER);
  assert_int_equal(setenv("SF_TEST_CTOR_MARKER", MARKER, 1), 0);

  // (1) no --controller: refused, the option named
  snprintf(want, sizeof(want),
           "store '%s' was written by plug-in controller 'ctor-marker' (path %s, hash %s); pass "
           "--controller PATH to load it",
           ctor, CTOR_SO, ch);
  trust_try(ctor, NULL, 2, want, 0);
  snprintf(want, sizeof(want), "(path %s, hash built-in); pass --controller PATH", CTOR_SO);
  trust_try(forged, NULL, 2, want, 0);

  // (2) another file: refused by its hash, before it is loaded
  snprintf(want, sizeof(want),
           "controller plug-in '%s' (hash %s) is not the controller store '%s' was written with "
           "(hash %s); the file was not loaded",
           TRUST_SO, th, ctor, ch);
  trust_try(ctor, TRUST_SO, 2, want, 0);
  snprintf(want, sizeof(want),
           "(hash %s) is not the controller store '%s' was written with (hash %s)", ch, good, th);
  trust_try(good, CTOR_SO, 2, want, 0);
  trust_try(forged, CTOR_SO, 2, "the file was not loaded", 0);
  trust_try(forged, TRUST_SO, 2, "the file was not loaded", 0);
  trust_try(good, "scripted-arc", 2, "built-in controller 'scripted-arc' is not the controller", 0);

  // (3) the right file: both work; only loading ctor_marker.so itself makes the marker
  trust_try(good, TRUST_SO, 0, NULL, 0);
  trust_try(ctor, CTOR_SO, 0, NULL, 1);
  unsetenv("SF_TEST_CTOR_MARKER");
  remove(MARKER);
}

// the hash is of the bytes loaded: opened once, the file is hashed and loaded through one
// descriptor, which stays open while the plug-in is loaded (so its /proc/self/fd name never
// names another file); two plug-ins opened and closed in turn are each the file asked for
static void test_open_expect(void** state) {
  char th[24];
  file_fnv(SF_TEST_TEMPLATE, th);
  sfController a, b;
  sfError e = {{0}};
  assert_int_equal(sf_controller_open_expect(SF_TEST_TEMPLATE, th, "test", &a, &e), SF_OK);
  assert_string_equal(a.file.hash, th);
  assert_true(a.file.fd >= 0);
  assert_true(fcntl(a.file.fd, F_GETFD) >= 0);
  int fd = a.file.fd;
  assert_int_equal(sf_controller_open(PLUGIN("table_ok"), &b, &e), SF_OK);
  assert_string_equal(a.name, "template");
  assert_string_equal(b.name, "bad-table");
  sf_controller_close(&a);
  assert_int_equal(fcntl(fd, F_GETFD), -1);  // closed with the plug-in
  assert_int_equal(sf_controller_open(PLUGIN("nan_ctrl"), &a, &e), SF_OK);
  assert_string_equal(a.name, "nan-ctrl");  // a reused descriptor number names the new file
  sf_controller_close(&a);
  sf_controller_close(&b);
  assert_false(is_loaded(SF_TEST_TEMPLATE));

  // a wrong expectation: refused, nothing loaded; built-ins match only 'built-in'
  memset(&e, 0, sizeof(e));
  assert_int_equal(
      sf_controller_open_expect(SF_TEST_TEMPLATE, "0123456789abcdef", "store 'x'", &a, &e),
      SF_ERR_INPUT);
  assert_contains(e.msg, th);
  assert_contains(e.msg, "0123456789abcdef");
  assert_contains(e.msg, "the file was not loaded");
  assert_null(a.file.dl);
  assert_false(is_loaded(SF_TEST_TEMPLATE));
  assert_int_equal(sf_controller_open_expect("scripted-arc", SF_BUILTIN_HASH, "x", &a, &e), SF_OK);
  sf_controller_close(&a);
  assert_int_equal(sf_controller_open_expect("scripted-arc", th, "store 'x'", &a, &e),
                   SF_ERR_INPUT);
  assert_contains(e.msg, "built-in controller 'scripted-arc' is not the controller store 'x'");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_template_open),
      cmocka_unit_test(test_template_open_close_many),
      cmocka_unit_test(test_table_ok),
      cmocka_unit_test(test_bad_open),
      cmocka_unit_test(test_bad_cli),
      cmocka_unit_test(test_template_eval),
      cmocka_unit_test(test_nan_run),
      cmocka_unit_test(test_fault_episodes),
      cmocka_unit_test(test_store_remembers_plugin),
      cmocka_unit_test(test_impedance_example),
      cmocka_unit_test(test_version1_plugin),
      cmocka_unit_test(test_long_plugin_path),
      cmocka_unit_test(test_bad_return),
      cmocka_unit_test(test_open_expect),
      cmocka_unit_test(test_no_code_from_store),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
