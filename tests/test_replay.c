// test_replay.c: episode replay: an MP4 that ffprobe reads with duration x fps frames; PNG
// frames in which the instrument (shaft, wrist, jaws) and the needle cover pixels, counted by
// segmentation rendering from the replay's own camera; an unrecorded episode simulated again
// to its stored outcome; the window under xvfb-run closing by itself after a frame limit;
// unknown episodes, missing trajectories with --no-resimulate and unwritable outputs exit 2.
#include "sf_test.h"

#include <sys/wait.h>
#include <unistd.h>

#include "render.h"
#include "replay.h"
#include "scene.h"
#include "store.h"
#include "store_check.h"

#define ARGS(...) ((const char* const[]){__VA_ARGS__, NULL})

static char g_store[4096];  // a store of 2 fleet robots x 1 round, episode 0 recorded only

static int setup(void** state) {
  sf_test_path(g_store, sizeof(g_store), "replay.h5");
  unlink(g_store);
  sfTestCli r =
      sf_test_cli(ARGS("run", "--robots", "2", "--rounds", "1", "--join", "none", "--mode", "fleet",
                       "--record", "every:2", "--store", g_store, "--quiet"));
  int ok = r.code == 0;
  if (!ok) print_error("setup: %s\n", r.err);
  sf_test_cli_free(&r);
  return ok ? 0 : -1;
}

// simulated seconds of n steps in the default scene (the store's)
static double scene_seconds(int n) {
  sfScene sc;
  sfError e = {{0}};
  assert_int_equal(sf_scene_load(&sc, SF_MODEL_DIR "/suture_scene.xml", &e), SF_OK);
  double t = n * sc.m->opt.timestep;
  sf_scene_free(&sc);
  return t;
}

// steps of episode id in the store
static int episode_steps(long id) {
  sfStoreData d;
  sfError e = {{0}};
  assert_int_equal(sf_store_read(g_store, &d, &e), SF_OK);
  int steps = -1;
  for (long i = 0; i < d.nepisodes; i++) {
    if (d.episodes[i].episode_id == id) steps = d.episodes[i].steps;
  }
  sf_store_data_free(&d);
  assert_true(steps > 0);
  return steps;
}

// output of a shell command (malloc'd), its exit code in *code
static char* shell(const char* cmd, int* code) {
  FILE* p = popen(cmd, "r");
  assert_non_null(p);
  char* buf = calloc(1, 65536);
  size_t n = fread(buf, 1, 65535, p);
  buf[n] = 0;
  int rc = pclose(p);
  *code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return buf;
}

// the MP4 of a recorded episode: ffprobe counts round(steps x dt x fps) frames of 320x240
static void test_mp4(void** state) {
  char mp4[4096], cmd[8192];
  sf_test_path(mp4, sizeof(mp4), "replay_ep0.mp4");
  unlink(mp4);
  sfTestCli r = sf_test_cli(ARGS("replay", g_store, "--episode", "0", "--out", mp4, "--width",
                                 "320", "--height", "240", "--fps", "10"));
  print_message("%s%s", r.out, r.err);
  assert_int_equal(r.code, 0);
  long want = lround(scene_seconds(episode_steps(0)) * 10);
  char line[256];
  snprintf(line, sizeof(line), "wrote %ld frames (320x240, 10 fps", want);
  assert_contains(r.out, line);
  sf_test_cli_free(&r);
  snprintf(cmd, sizeof(cmd),
           "ffprobe -v error -count_frames -select_streams v:0 -show_entries "
           "stream=nb_read_frames,width,height,codec_name -of csv=p=0 '%s'",
           mp4);
  int code;
  char* out = shell(cmd, &code);
  print_message("ffprobe: %s", out);
  assert_int_equal(code, 0);
  snprintf(line, sizeof(line), "h264,320,240,%ld", want);
  assert_contains(out, line);
  free(out);
}

// PNG frames of an episode that was not recorded (simulated again, reproducing the stored
// outcome): one file per frame, each a PNG of the asked size
static void test_png_resimulated(void** state) {
  char dir[4096];
  sf_test_path(dir, sizeof(dir), "replay_ep1");
  assert_int_equal(system("rm -rf '" SF_TEST_TMP "/replay_ep1'"), 0);
  char dir_slash[4200];
  snprintf(dir_slash, sizeof(dir_slash), "%s/", dir);  // "DIR/", made when missing
  sfTestCli r = sf_test_cli(ARGS("replay", g_store, "--episode", "1", "--out", dir_slash, "--fps",
                                 "2", "--width", "160", "--height", "120"));
  print_message("%s%s", r.out, r.err);
  assert_int_equal(r.code, 0);
  sf_test_cli_free(&r);
  long want = lround(scene_seconds(episode_steps(1)) * 2);
  for (long k = 0; k <= want; k++) {
    char png[4200];
    snprintf(png, sizeof(png), "%s/frame_%05ld.png", dir, k);
    if (k == want) {
      assert_int_equal(access(png, F_OK), -1);
      continue;
    }
    size_t n = 0;
    char* bytes = sf_test_read(png, &n);
    assert_non_null(bytes);
    assert_true(n > 100 && !memcmp(bytes, "\x89PNG\r\n\x1a\n", 8));
    assert_int_equal(((unsigned char)bytes[18] << 8) | (unsigned char)bytes[19], 160);  // width
    assert_int_equal(((unsigned char)bytes[22] << 8) | (unsigned char)bytes[23], 120);
    free(bytes);
  }
}

// the one-arm scene and the setup store's demo of episode 0 (recorded, over 100 samples)
static void read_demo0(sfScene* s, sfTraj* t) {
  sfError e = {{0}};
  int found = 0;
  assert_int_equal(sf_scene_load(s, SF_MODEL_DIR "/suture_scene.xml", &e), SF_OK);
  assert_int_equal(sf_store_demo_read(g_store, 0, s->m, t, &found, &e), SF_OK);
  assert_true(found && t->n > 100);
}

// what the replay camera sees at several samples of episode 0: the shaft, both jaws and the
// needle each cover pixels (segmentation: a geom's pixels carry its id)
static void test_arm_and_needle_visible(void** state) {
  sfScene s;
  sfTraj t;
  sfError e = {{0}};
  read_demo0(&s, &t);
  sfRender rd;
  assert_int_equal(sf_render_offscreen(&rd, s.m, 640, 480, &e), SF_OK);
  mjtNum at[3] = {s.wound_pos_m[0], s.wound_pos_m[1], s.wound_pos_m[2] + 0.006};
  sf_render_look(&rd, at);
  mjData* d = mj_makeData(s.m);
  long* px = calloc((size_t)s.m->nbody, sizeof(long));
  const char* bodies[] = {"needle", "psm1_jaw_left", "psm1_jaw_right", "psm1_shaft"};
  for (int k = 0; k < 4; k++) {
    int i = k * (t.n - 1) / 3;
    const double* st = t.states + (size_t)i * t.nstate;
    mju_copy(d->qpos, st, s.m->nq);
    mju_copy(d->mocap_pos, st + s.m->nq + s.m->nv, 3 * s.m->nmocap);
    mju_copy(d->mocap_quat, st + s.m->nq + s.m->nv + 3 * s.m->nmocap, 4 * s.m->nmocap);
    mj_forward(s.m, d);
    sf_render_body_pixels(&rd, d, px);
    for (int b = 0; b < 4; b++) {
      long n = px[mj_name2id(s.m, mjOBJ_BODY, bodies[b])];
      print_message("sample %d: %s %ld pixels\n", i, bodies[b], n);
      assert_true(n >= 20);
    }
  }
  free(px);
  mj_deleteData(d);
  sf_render_free(&rd);
  sf_traj_free(&t);
  sf_scene_free(&s);
}

// the window under a virtual display: it opens, renders 30 frames and closes by itself (leak
// checks are off in that process: GLX's driver is unloaded before LeakSanitizer can name what
// it kept)
static void test_window_xvfb(void** state) {
  char cmd[8192];
  snprintf(cmd, sizeof(cmd),
           "ASAN_OPTIONS=detect_leaks=0 xvfb-run -a -s '-screen 0 800x600x24' '%s' replay '%s' "
           "--episode 0 --window "
           "--frames 30 --width 640 --height 480 2>&1",
           SF_TEST_BIN, g_store);
  int code;
  char* out = shell(cmd, &code);
  print_message("%s", out);
  assert_int_equal(code, 0);
  assert_contains(out, "window closed after 30 frames");
  free(out);
}

// a store of an older schema (tests/data/schema<N>.h5, 2 fleet robots x 2 rounds, seed 3,
// episode 0 recorded; its configuration names the model by the path models/suture_scene.xml,
// relative to the source tree) is still read: info names its schema, curves plot it, replay
// renders its recorded episode; it is never extended (--resume refuses it, untouched). Neither
// schema has the handovers: its rows read 0 handovers, 0 failed and no handover time (NaN), its
// demo has no obs/needle_holder (holder NULL)
static void old_schema_store(int schema, int n_theta) {
  char name[64], src[128], copy[4096], dir[4096], csv[4096], cwd[4096], want[128];
  assert_non_null(getcwd(cwd, sizeof(cwd)));
  assert_int_equal(chdir(SF_MODEL_DIR "/.."), 0);
  snprintf(name, sizeof(name), "schema%d.h5", schema);
  snprintf(src, sizeof(src), "tests/data/%s", name);
  sf_test_path(copy, sizeof(copy), name);
  sf_test_copy(src, copy);

  sfStoreData d;
  sfError e = {{0}};
  assert_int_equal(sf_store_read(copy, &d, &e), SF_OK);
  assert_int_equal(d.schema_version, schema);
  assert_int_equal(d.nepisodes, 4);
  for (long i = 0; i < d.nepisodes; i++) {
    const sfEpisodeRow* row = &d.episodes[i];
    if (schema < SF_STORE_SCHEMA_SUTURE) {  // no wound or thread values: NaN, cut_through -1
      assert_true(isnan(row->wound_closure) && isnan(row->wound_gap_mm));
      assert_true(isnan(row->stitch_tension_N[0]));
      assert_int_equal(row->cut_through, -1);
    } else {  // the wound and the thread, one stitch
      assert_true(row->wound_closure >= 0 && row->wound_closure <= 1);
      assert_true(row->cut_through == 0 || row->cut_through == 1);
    }
    assert_int_equal(row->handovers, 0);
    assert_int_equal(row->handovers_failed, 0);
    assert_true(isnan(row->handover_time_s));
    assert_int_equal(row->n_theta, n_theta);
  }
  sf_store_data_free(&d);

  // its recorded demo: no needle holder
  sfScene sc;
  assert_int_equal(sf_scene_load(&sc, SF_MODEL_DIR "/suture_scene.xml", &e), SF_OK);
  sfTraj t;
  int found = 0;
  assert_int_equal(sf_store_demo_read(copy, 0, sc.m, &t, &found, &e), SF_OK);
  assert_true(found && t.n > 0);
  assert_null(t.holder);
  assert_int_equal(!t.thread_tension, schema < SF_STORE_SCHEMA_SUTURE);
  sf_traj_free(&t);
  sf_scene_free(&sc);

  sfTestCli r = sf_test_cli(ARGS("info", copy, "--json"));
  assert_int_equal(r.code, 0);
  snprintf(want, sizeof(want), "\"schema_version\": %d", schema);
  assert_contains(r.out, want);
  sf_test_cli_free(&r);

  snprintf(name, sizeof(name), "schema%d_curves.csv", schema);
  sf_test_path(csv, sizeof(csv), name);
  r = sf_test_cli(ARGS("curves", copy, "--csv", csv));
  print_message("%s%s", r.out, r.err);
  assert_int_equal(r.code, 0);
  sf_test_cli_free(&r);

  char cmd[9000];
  snprintf(name, sizeof(name), "schema%d_frames", schema);
  sf_test_path(dir, sizeof(dir), name);
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
  r = sf_test_cli(ARGS("replay", copy, "--episode", "0", "--out", dir, "--fps", "1", "--width",
                       "160", "--height", "120"));
  print_message("%s%s", r.out, r.err);
  assert_int_equal(r.code, 0);
  assert_contains(r.out, "wrote ");
  sf_test_cli_free(&r);

  size_t n0 = 0, n1 = 0;
  char* before = sf_test_read(copy, &n0);
  r = sf_test_cli(ARGS("run", "--store", copy, "--resume", "--quiet"));
  assert_int_equal(r.code, 2);
  snprintf(want, sizeof(want), "schema version %d; expected %d", schema, SF_STORE_SCHEMA);
  assert_contains(r.err, want);
  sf_test_cli_free(&r);
  char* after = sf_test_read(copy, &n1);
  assert_true(n0 == n1 && !memcmp(before, after, n0));
  free(before);
  free(after);
  assert_int_equal(chdir(cwd), 0);
}

// schema 3 (tests/data/schema3.h5: written by suturefleet before the wound and the thread, 8
// skill values)
static void test_schema3_store(void** state) {
  assert_int_equal(SF_STORE_SCHEMA, 5);
  old_schema_store(3, 8);
}

// schema 4 (tests/data/schema4.h5: written by suturefleet before the handovers, at commit
// a29d1d2, 10 skill values: the one-arm scripted-arc's before handover_lift_mm and
// handover_grasp_deg)
static void test_schema4_store(void** state) {
  old_schema_store(4, 10);
}

// a store of the current schema (the setup's, one-arm scene) records who holds the needle in
// its demos: psm1 (0) or nobody (-1), never psm2; and its rows have no handovers
static void test_needle_holder_recorded(void** state) {
  sfScene sc;
  sfTraj t;
  read_demo0(&sc, &t);
  assert_non_null(t.holder);
  int held = 0;
  for (int k = 0; k < t.n; k++) {
    assert_true(t.holder[k] == 0 || t.holder[k] == -1);
    held += t.holder[k] == 0;
  }
  assert_true(held > 0);  // it starts in psm1's jaws
  assert_int_equal(t.holder[0], 0);
  sf_traj_free(&t);
  sf_scene_free(&sc);

  sfStoreData d;
  sfError e = {{0}};
  assert_int_equal(sf_store_read(g_store, &d, &e), SF_OK);
  assert_int_equal(d.schema_version, SF_STORE_SCHEMA);
  for (long i = 0; i < d.nepisodes; i++) {
    assert_int_equal(d.episodes[i].handovers, 0);
    assert_int_equal(d.episodes[i].handovers_failed, 0);
    assert_true(isnan(d.episodes[i].handover_time_s));
  }
  sf_store_data_free(&d);
}

// bad requests: exit 2, the thing named, nothing written
static void test_replay_errors(void** state) {
  char mp4[4096];
  sf_test_path(mp4, sizeof(mp4), "replay_bad.mp4");
  unlink(mp4);
  sf_test_expect_bad(ARGS("replay", g_store, "--episode", "99", "--out", mp4),
                     ARGS("--episode 99", "no such episode"));
  sf_test_expect_bad(ARGS("replay", g_store, "--episode", "1", "--out", mp4, "--no-resimulate"),
                     ARGS("episode 1", "no recorded trajectory", "--no-resimulate"));
  sf_test_expect_bad(ARGS("replay", g_store, "--episode", "0", "--out", "/nonexistent/d/x.mp4"),
                     ARGS("'/nonexistent/d/x.mp4'", "cannot write"));
  sf_test_expect_bad(ARGS("replay", g_store, "--episode", "0", "--out", "/proc/no/frames"),
                     ARGS("'/proc/no/frames'", "cannot make the directory"));
  sf_test_expect_bad(ARGS("replay", g_store, "--episode", "0", "--out", "a\nb.mp4"),
                     ARGS("--out", "control characters"));
  assert_int_equal(access(mp4, F_OK), -1);
  sf_test_expect_bad(ARGS("replay", g_store, "--episode", "0"), ARGS("--out", "--window"));
  sf_test_expect_bad(ARGS("replay", g_store, "--episode", "0", "--out", mp4, "--width", "321"),
                     ARGS("even"));
  sf_test_expect_bad(ARGS("replay", g_store, "--out", mp4), ARGS("--episode"));
  sf_test_expect_bad(ARGS("replay", SF_TEST_TMP "/no-such.h5", "--episode", "0", "--out", mp4),
                     ARGS("no-such.h5"));
  sf_test_expect_bad(ARGS("replay", g_store, "--episode", "0", "--out", mp4, "--fps", "0"),
                     ARGS("--fps", "'0'"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_mp4),
      cmocka_unit_test(test_png_resimulated),
      cmocka_unit_test(test_arm_and_needle_visible),
      cmocka_unit_test(test_window_xvfb),
      cmocka_unit_test(test_replay_errors),
      cmocka_unit_test(test_schema3_store),
      cmocka_unit_test(test_schema4_store),
      cmocka_unit_test(test_needle_holder_recorded),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
