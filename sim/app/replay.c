// replay.c: an episode from the store (or simulated again) rendered to MP4, PNG frames or a
// window, with an overlay of who, what phase and the SRC metrics so far.
#include "replay.h"

#include <errno.h>
#include <math.h>
#include <omp.h>
#include <png.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "controller.h"
#include "episode.h"
#include "fleet.h"
#include "render.h"
#include "score.h"
#include "store.h"
#include "store_check.h"

// a thread pulled this hard after the regrasp: the throw's stitch is set
#define SF_TENSIONED_N 0.5
#define SF_NEW_THROW_M 0.005   // a tip jump this large between samples: the next throw starts
#define SF_HOLE_MARK_M 0.0006  // radius of the hole markers

// one episode made ready to show
typedef struct sfReplay_ {
  sfStoreData data;
  const sfEpisodeRow* row;
  const sfRobotRow* robot;
  sfRunConfig cfg;
  sfScene s;
  sfTraj traj;
  sfHoles holes;    // the episode's true holes
  int resimulated;  // the trajectory was simulated again (it was not recorded)
  mjData* d;
} sfReplay;

// the SRC state of the replay so far
typedef struct sfReplayScore_ {
  int sample;          // last sample scored
  int throw_index;     // current throw
  sfThrowScore score;  // its score
  int released;        // the jaws opened after the exit
  int regrasped;       // and closed again (or psm2 took it)
  int tensioned;       //   and the thread was tensioned (above SF_TENSIONED_N)
} sfReplayScore;

// the episode's row and its robot's row; SF_ERR_INPUT if the store has no such episode
static sftStatus sf_replay_find(sfReplay* r, long id, const char* path, sfError* e) {
  for (long i = 0; i < r->data.nepisodes && !r->row; i++) {
    if (r->data.episodes[i].episode_id == id) r->row = &r->data.episodes[i];
  }
  if (!r->row) {
    return sf_fail(e, SF_ERR_INPUT,
                   "--episode %ld: store '%s' has no such episode (it holds ids "
                   "0..%ld)",
                   id, path, r->data.nepisodes - 1);
  }
  for (long i = 0; i < r->data.nrobots && !r->robot; i++) {
    if (r->data.robots[i].robot == r->row->robot) r->robot = &r->data.robots[i];
  }
  if (!r->robot)
    return sf_fail(e, SF_ERR_INPUT, "store '%s': robot %d is not in /robots", path, r->row->robot);
  return SF_OK;
}

// the model of the store's run, checked by its hash
static sftStatus sf_replay_scene(sfReplay* r, const char* path, sfError* e) {
  sftStatus st = sf_store_config(&r->data, path, &r->cfg, e);
  if (st == SF_OK) st = sf_scene_load(&r->s, r->cfg.model, e);
  if (st != SF_OK) return st;
  char hash[32];
  snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)r->s.model_hash);
  if (strcmp(hash, r->data.model_hash)) {
    return sf_fail(e, SF_ERR_INPUT,
                   "model '%s' (hash %s) is not the one store '%s' was written "
                   "with (hash %s)",
                   r->cfg.model, hash, path, r->data.model_hash);
  }

  // the episode's throws fit the model's pairs, and start at the pair its context draws (the
  // holes are indexed by them)
  const sfEpisodeRow* x = r->row;
  if (x->stitches < 1 || x->stitches > r->s.npair) {
    return sf_fail(e, SF_ERR_INPUT,
                   "store '%s': episode %lld: stitches = %d, expected 1 to %d (the entry/exit "
                   "pairs of model '%s')",
                   path, (long long)x->episode_id, x->stitches, r->s.npair, r->cfg.model);
  }
  sfContext ctx;
  sf_context_draw(&r->s, r->cfg.seed, r->robot->context_robot, x->round, x->stitches, 0, &ctx);
  if (ctx.first_pair != x->first_pair) {
    return sf_fail(e, SF_ERR_INPUT,
                   "store '%s': episode %lld: first_pair = %d, expected %d (the pair its "
                   "context draws)",
                   path, (long long)x->episode_id, x->first_pair, ctx.first_pair);
  }
  sf_context_holes(&r->s, &ctx, &r->holes);
  return SF_OK;
}

// two stored doubles are the same (NaN equals NaN)
static int sf_same(double a, double b) {
  return (isnan(a) && isnan(b)) || a == b;
}

// simulate the episode again with the store's controller (a plug-in only from the file given,
// given NULL: none, with the store's hash, checked before it is loaded); the outcome must be the
// stored one
static sftStatus sf_replay_resimulate(sfReplay* r, const char* path, const char* given,
                                      sfError* e) {
  sfController ctrl;
  sftStatus st = sf_controller_open_stored(given, r->cfg.controller, r->data.controller,
                                           r->data.controller_hash, path, &ctrl, e);
  if (st != SF_OK) return st;
  sfWorker w;
  st = sf_worker_make(&w, &r->s, &ctrl, e);
  if (st == SF_OK) sf_traj_make(&r->traj, r->s.m, r->row->stitches);
  if (st == SF_OK) {
    const sfEpisodeRow* x = r->row;
    sfEpisodeSpec spec = {.seed = r->cfg.seed,
                          .robot = x->robot,
                          .round = x->round,
                          .episode_id = x->episode_id,
                          .stitches = x->stitches,
                          .calibrated = 0,
                          .theta = x->theta,
                          .context_robot = r->robot->context_robot,
                          .cohort = x->cohort,
                          .join_round = x->join_round,
                          .traj = &r->traj};
    sfEpisodeResult res;
    sf_episode_run(&r->s, &w, &spec, &res);
    if (res.steps != x->steps || res.success != x->success || res.throws_ok != x->throws_ok ||
        !sf_same(res.entry_err_mm, x->entry_err_mm) || !sf_same(res.trauma_mm2, x->trauma_mm2)) {
      st = sf_fail(e, SF_ERR_RUN,
                   "simulating episode %ld again gave another outcome (%d steps, "
                   "success %d) than the stored one (%d steps, success %d)",
                   x->episode_id, res.steps, res.success, x->steps, x->success);
    }
  }
  sf_worker_free(&w);
  sf_controller_close(&ctrl);
  r->resimulated = 1;
  return st;
}

// load the episode id of the store at path, with its trajectory (recorded, or simulated again
// by the controller sf_replay_resimulate opens from given)
static sftStatus sf_replay_load(sfReplay* r, const char* path, long id, int resimulate,
                                const char* given, sfError* e) {
  memset(r, 0, sizeof(*r));
  sftStatus st = sf_store_read(path, &r->data, e);
  if (st == SF_OK) st = sf_replay_find(r, id, path, e);
  if (st == SF_OK) st = sf_replay_scene(r, path, e);
  int found = 0;
  if (st == SF_OK) st = sf_store_demo_read(path, id, r->s.m, &r->traj, &found, e);
  if (st == SF_OK && !found && !resimulate) {
    st = sf_fail(e, SF_ERR_INPUT,
                 "episode %ld of store '%s' has no recorded trajectory (the run "
                 "recorded %s) and --no-resimulate forbids simulating it again",
                 id, path, r->cfg.record_every == 0 ? "none" : "every K-th episode only");
  }
  if (st == SF_OK && !found) st = sf_replay_resimulate(r, path, given, e);
  if (st == SF_OK && r->traj.n == 0) {
    st = sf_fail(e, SF_ERR_INPUT,
                 "episode %ld of store '%s' ended after %d steps, before its "
                 "first trajectory sample: nothing to show",
                 id, path, r->row->steps);
  }
  if (st == SF_OK) {
    r->d = mj_makeData(r->s.m);
    if (!r->d) st = sf_fail(e, SF_ERR_RUN, "cannot allocate MuJoCo data");
  }
  return st;
}

static void sf_replay_free(sfReplay* r) {
  if (r->d) mj_deleteData(r->d);
  sf_traj_free(&r->traj);
  sf_scene_free(&r->s);
  sf_store_data_free(&r->data);
  memset(r, 0, sizeof(*r));
}

// the state of sample i into d, with its kinematics
static void sf_replay_state(sfReplay* r, int i) {
  const mjModel* m = r->s.m;
  const double* st = r->traj.states + (size_t)i * r->traj.nstate;
  mju_copy(r->d->qpos, st, m->nq);
  mju_copy(r->d->qvel, st + m->nq, m->nv);
  mju_copy(r->d->mocap_pos, st + m->nq + m->nv, 3 * m->nmocap);
  mju_copy(r->d->mocap_quat, st + m->nq + m->nv + 3 * m->nmocap, 4 * m->nmocap);
  r->d->time = (double)i / SF_TRAJ_HZ;
  mj_forward(m, r->d);
}

// score the tip's path up to sample i (samples are only ever scored forward)
static void sf_replay_score(const sfReplay* r, sfReplayScore* sc, int i) {
  for (; sc->sample < i; sc->sample++) {
    const double* a = r->traj.needle_tip + 3 * sc->sample;
    const double* b = a + 3;
    const int8_t* h = r->traj.holder ? r->traj.holder + sc->sample : NULL;
    int jumped = mju_dist3(a, b) > SF_NEW_THROW_M;                // put back in the jaws (one arm)
    int taken = h && sc->score.exited && h[0] == 1 && h[1] == 0;  // psm1 took it from psm2
    if ((jumped || taken) && sc->throw_index + 1 < r->row->stitches) {
      sc->throw_index++;  // the next throw
      sf_score_reset(&sc->score, r->row->first_pair + sc->throw_index);
      sc->released = sc->regrasped = sc->tensioned = 0;
      continue;
    }
    sf_score_update(&sc->score, &r->holes, a, b);
    double jaw = r->traj.joint_pos[(size_t)(sc->sample + 1) * SF_NAXIS + SF_NAXIS - 1];
    if (sc->score.exited && jaw > SFC_JAW_RELEASE_RAD) sc->released = 1, sc->score.released = 1;
    if (sc->released && (jaw < SFC_JAW_RELEASE_RAD || (h && h[1] == 1))) sc->regrasped = 1;
    const double* tension = r->traj.thread_tension;
    if (sc->regrasped && tension && tension[sc->sample + 1] > SF_TENSIONED_N) sc->tensioned = 1;
  }
}

// a value in mm or "-"
static void sf_mm(char* out, size_t n, int known, double v) {
  if (known)
    snprintf(out, n, "%.2f mm", v);
  else
    snprintf(out, n, "-");
}

// the overlay texts of sample i
static void sf_replay_text(const sfReplay* r, const sfReplayScore* sc, int i, int last, char* left,
                           size_t nl, char* right, size_t nr) {
  const sfEpisodeRow* x = r->row;
  const sfThrowScore* t = &sc->score;
  snprintf(left, nl,
           "suturefleet replay\nepisode %lld (%s)\nrobot %d, %s, joined round %d\n"
           "round %d, practice episode %d\ncontroller %s",
           (long long)x->episode_id, r->resimulated ? "simulated again" : "recorded", x->robot,
           x->cohort ? "solo" : "fleet", x->join_round, x->round, x->round - x->join_round + 1,
           x->controller);
  int holder = r->traj.holder && i < r->traj.n ? r->traj.holder[i] : -2;
  double tension_now = r->traj.thread_tension && i < r->traj.n ? r->traj.thread_tension[i] : 0;
  const char* phase = (!t->inserted || sc->tensioned) && holder == 1 &&
                              sc->throw_index + 1 < x->stitches && tension_now < SF_TENSIONED_N
                          ? "handover"
                      : !t->inserted   ? "approach"
                      : !t->exited     ? "drive"
                      : !sc->released  ? "drive, tip out"
                      : !sc->regrasped ? "release, regrasp"
                      : r->traj.thread_tension && i < r->traj.n && r->traj.thread_tension[i] > 0
                          ? "tension"
                          : "pull through";
  char entry[32], exit_[32], out[32], result[64] = "";
  sf_mm(entry, sizeof(entry), t->inserted, t->entry_err_mm);
  sf_mm(exit_, sizeof(exit_), t->exited, t->exit_err_mm);
  sf_mm(out, sizeof(out), t->exited, t->tip_out_mm);
  // the thread's tension now, the wound's closure at the end (a schema-3 store has neither)
  char thread[96] = "", closure[128] = "", held[48] = "";
  if (holder >= -1) {
    snprintf(held, sizeof(held), "\nneedle held by %s",
             holder == 0   ? "psm1"
             : holder == 1 ? "psm2"
                           : "neither arm");
  }
  if (r->traj.thread_tension && i < r->traj.n) {
    snprintf(thread, sizeof(thread), "\nthread tension %.2f N", r->traj.thread_tension[i]);
  }
  if (last && isfinite(x->wound_closure)) {
    snprintf(closure, sizeof(closure), "\nclosure %.2f (worst %.2f), cut-through %d",
             x->wound_closure, x->wound_closure_min, x->cut_through);
  }
  if (last) {
    snprintf(result, sizeof(result), "\nresult: %s, trauma %.2f mm^2",
             x->success ? "SUCCESS" : "failed", x->trauma_mm2);
  }
  snprintf(right, nr,
           "t %.2f s\nthrow %d/%d: %s%s\nentry error %s\nexit error %s\ntip out %s%s%s%s",
           (double)i / SF_TRAJ_HZ, sc->throw_index + 1, x->stitches, phase, held, entry, exit_, out,
           thread, closure, result);
}

// markers on the episode's holes: entry green, exit blue
static int sf_replay_markers(const sfReplay* r, sfMarker* mk) {
  int n = 0;
  for (int k = 0; k < r->row->stitches && n + 2 <= SF_RENDER_MAX_MARKERS; k++) {
    int p = r->row->first_pair + k;
    sfMarker in = {{0}, {0.1f, 0.85f, 0.2f, 1}, SF_HOLE_MARK_M, 0, {0}};
    sfMarker out = {{0}, {0.2f, 0.4f, 1.0f, 1}, SF_HOLE_MARK_M, 0, {0}};
    mju_copy3(in.pos, r->holes.entry_pos[p]);
    mju_copy3(out.pos, r->holes.exit_pos[p]);
    mk[n++] = in, mk[n++] = out;
  }
  return n;
}

// sample i's thread (a chain of segments from the knot to the needle's tail) and wound edges
// (either side of the wound line, half the gap each way, on the pad's surface) after the first
// n markers; a schema-3 demo has neither. Returns the new count
#define SF_THREAD_R_M 0.00025  // drawn thread radius
#define SF_EDGE_R_M 0.0002     // drawn wound edge radius
static int sf_replay_suture(const sfReplay* r, int i, sfMarker* mk, int n) {
  const sfTraj* t = &r->traj;
  if (!t->thread_path || !t->wound_gap || i < 0 || i >= t->n) return n;
  const double* p = t->thread_path + (size_t)i * 3 * SF_THREAD_PTS;
  for (int k = 0; k + 1 < SF_THREAD_PTS && n < SF_RENDER_MAX_MARKERS; k++) {
    const double *a = p + 3 * k, *b = a + 3;
    if (!isfinite(a[0]) || !isfinite(b[0]) || mju_dist3(a, b) < 1e-9) continue;
    sfMarker m = {
        {a[0], a[1], a[2]}, {0.15f, 0.3f, 0.85f, 1}, SF_THREAD_R_M, 1, {b[0], b[1], b[2]}};
    mk[n++] = m;
  }
  const double* gap = t->wound_gap + (size_t)i * SF_WOUND_GAP_N;
  mjtNum up[3] = {0, 0, 1}, across[3], base[3];
  mju_cross(across, up, r->s.wound_dir);
  mju_copy3(base, r->s.wound_pos_m);
  base[2] = r->s.pad_center_m[2] + r->s.pad_half_m[2] + SF_EDGE_R_M;
  for (int side = -1; side <= 1; side += 2) {
    for (int k = 0; k + 1 < SF_WOUND_GAP_N && n < SF_RENDER_MAX_MARKERS; k++) {
      sfMarker m = {{0}, {0.55f, 0.05f, 0.1f, 1}, SF_EDGE_R_M, 1, {0}};
      for (int j = 0; j < 2; j++) {
        mjtNum along = (k + j - (SF_WOUND_GAP_N - 1) / 2) * SF_WOUND_GAP_STEP_M;
        mjtNum half = 0.0005 * (isfinite(gap[k + j]) ? gap[k + j] : 0);
        mjtNum* x = j ? m.to : m.pos;
        mju_copy3(x, base);
        mju_addToScl3(x, r->s.wound_dir, along);
        mju_addToScl3(x, across, side * half);
      }
      mk[n++] = m;
    }
  }
  return n;
}

// aim the camera between the episode's first entry and exit holes, a little above the surface
static void sf_replay_look(const sfReplay* r, sfRender* rd) {
  int p = r->row->first_pair;
  mjtNum at[3];
  for (int i = 0; i < 3; i++) at[i] = 0.5 * (r->holes.entry_pos[p][i] + r->holes.exit_pos[p][i]);
  at[2] += 0.006;
  sf_render_look(rd, at);
}

// write rgb (w x h) as a PNG; -1 on failure
static int sf_png_write(const char* path, const unsigned char* rgb, int w, int h) {
  FILE* f = fopen(path, "wb");
  if (!f) return -1;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (!png || !info || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    fclose(f);
    return -1;
  }
  png_init_io(png, f);
  png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < h; y++) png_write_row(png, rgb + (size_t)y * (size_t)w * 3);
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  return fclose(f) == 0 ? 0 : -1;
}

// the output kind of a path: 1 MP4, 0 a directory of PNGs
static int sf_replay_is_mp4(const char* path) {
  size_t n = strlen(path);
  return n > 4 && !strcmp(path + n - 4, ".mp4");
}

// the output can be written, checked without writing anything: an MP4 file (even image size,
// ffmpeg present) or a directory (existing, or made later); SF_ERR_INPUT naming the path
static sftStatus sf_replay_check_out(const sfReplayArgs* a, sfError* e) {
  if (!sf_path_plain(a->out)) {
    return sf_fail(e, SF_ERR_INPUT,
                   "--out '%s': expected a path without quotes or control "
                   "characters",
                   a->out);
  }
  struct stat sb;
  int is_dir = stat(a->out, &sb) == 0 && S_ISDIR(sb.st_mode);
  if (!sf_path_writable(a->out)) {
    return sf_fail(e, SF_ERR_INPUT, "--out '%s': cannot write it (%s)", a->out,
                   sf_replay_is_mp4(a->out) ? "no such directory or no permission"
                                            : "cannot make the directory or write into it");
  }
  if (!sf_replay_is_mp4(a->out)) return SF_OK;
  if (is_dir) return sf_fail(e, SF_ERR_INPUT, "--out '%s': a directory, not a video file", a->out);
  if (a->width % 2 || a->height % 2) {
    return sf_fail(e, SF_ERR_INPUT, "--width/--height %dx%d: an MP4 needs even sizes", a->width,
                   a->height);
  }
  if (system("command -v ffmpeg > /dev/null 2>&1") != 0) {
    return sf_fail(e, SF_ERR_RUN,
                   "ffmpeg is not installed (apt-get install ffmpeg); "
                   "use --out DIR for PNG frames");
  }
  return SF_OK;
}

// frames of the episode at fps: its simulated duration times fps (at least one)
static long sf_replay_frames(const sfReplay* r, double fps) {
  long n = lround(r->row->steps * r->s.m->opt.timestep * fps);
  return n > 0 ? n : 1;
}

// the trajectory sample shown at time t (s)
static int sf_replay_sample(const sfReplay* r, double t) {
  int i = (int)floor(t * SF_TRAJ_HZ + 1e-9);
  return i < 0 ? 0 : i >= r->traj.n ? r->traj.n - 1 : i;
}

// render every frame offscreen into the MP4 pipe or PNG files
static sftStatus sf_replay_files(sfReplay* r, const sfReplayArgs* a, FILE* log, sfError* e) {
  sfRender rd;
  sftStatus st = sf_render_offscreen(&rd, r->s.m, a->width, a->height, e);
  if (st != SF_OK) return st;
  sf_replay_look(r, &rd);
  unsigned char* rgb = SF_CALLOC((size_t)a->width * (size_t)a->height, 3);
  FILE* pipe = NULL;
  int mp4 = sf_replay_is_mp4(a->out);
  if (!mp4 && mkdir(a->out, 0755) != 0 && errno != EEXIST) {
    st = sf_fail(e, SF_ERR_INPUT, "--out '%s': cannot make the directory (%s)", a->out,
                 strerror(errno));
  }
  if (st == SF_OK && mp4) {
    char cmd[8192];
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -y -loglevel error -f rawvideo -pix_fmt rgb24 -s %dx%d -r %.6g -i - "
             "-c:v libx264 -preset veryfast -pix_fmt yuv420p 'file:%s'",
             a->width, a->height, a->fps, a->out);
    signal(SIGPIPE, SIG_IGN);
    pipe = popen(cmd, "w");
    if (!pipe) st = sf_fail(e, SF_ERR_RUN, "cannot start ffmpeg (%s)", strerror(errno));
  }

  // frame k shows time k / fps
  long nframes = sf_replay_frames(r, a->fps);
  sfMarker mk[SF_RENDER_MAX_MARKERS];
  int nmk = sf_replay_markers(r, mk);
  sfReplayScore sc = {0};
  sf_score_reset(&sc.score, r->row->first_pair);
  double t0 = omp_get_wtime();
  for (long k = 0; st == SF_OK && k < nframes; k++) {
    int i = sf_replay_sample(r, (double)k / a->fps);
    sf_replay_state(r, i);
    sf_replay_score(r, &sc, i);
    char left[512], right[512];
    sf_replay_text(r, &sc, i, k == nframes - 1, left, sizeof(left), right, sizeof(right));
    sf_render_draw(&rd, r->d, mk, sf_replay_suture(r, i, mk, nmk), left, right, rgb);
    size_t bytes = (size_t)a->width * (size_t)a->height * 3;
    if (mp4 && fwrite(rgb, 1, bytes, pipe) != bytes) {
      st = sf_fail(e, SF_ERR_RUN, "ffmpeg stopped taking frames at frame %ld", k);
    }
    if (!mp4) {
      char png[4200];
      snprintf(png, sizeof(png), "%s/frame_%05ld.png", a->out, k);
      if (sf_png_write(png, rgb, a->width, a->height) != 0) {
        st = sf_fail(e, SF_ERR_RUN, "--out: writing '%s' failed", png);
      }
    }
  }
  if (pipe) {
    int rc = pclose(pipe);
    if (st == SF_OK && rc != 0) st = sf_fail(e, SF_ERR_RUN, "ffmpeg failed writing '%s'", a->out);
  }
  if (st == SF_OK && log) {
    fprintf(log,
            "wrote %ld frames (%dx%d, %.6g fps, %.2f s of simulation) of episode %lld to %s "
            "in %.1f s\n",
            nframes, a->width, a->height, a->fps, r->row->steps * r->s.m->opt.timestep,
            (long long)r->row->episode_id, a->out, omp_get_wtime() - t0);
  }
  free(rgb);
  sf_render_free(&rd);
  return st;
}

// show the episode in a window until it is closed, Esc, or max_frames; N loads the next one
static sftStatus sf_replay_window(sfReplay* r, const sfReplayArgs* a, FILE* log, sfError* e) {
  sfRender rd;
  sftStatus st = sf_render_window(&rd, r->s.m, a->width, a->height, "suturefleet replay", e);
  if (st != SF_OK) return st;
  sf_replay_look(r, &rd);
  long frames = 0;
  while (st == SF_OK && !rd.input.quit && (!a->max_frames || frames < a->max_frames)) {
    sfMarker mk[SF_RENDER_MAX_MARKERS];
    int nmk = sf_replay_markers(r, mk);
    sfReplayScore sc = {0};
    sf_score_reset(&sc.score, r->row->first_pair);
    double t = 0, last = omp_get_wtime(), end = r->row->steps * r->s.m->opt.timestep;

    // play this episode: time runs at the chosen speed unless paused (right arrow: one frame)
    while (!rd.input.quit && !rd.input.next && (!a->max_frames || frames < a->max_frames)) {
      double now = omp_get_wtime();
      if (!rd.input.paused) t += (now - last) * rd.input.speed;
      if (rd.input.paused && rd.input.step) t += 1 / a->fps, rd.input.step = 0;
      last = now;
      t = fmin(t, end);
      int i = sf_replay_sample(r, t);
      sf_replay_state(r, i);
      sf_replay_score(r, &sc, i);
      char left[512], right[700];
      sf_replay_text(r, &sc, i, t >= end, left, sizeof(left), right, sizeof(right) - 128);
      snprintf(right + strlen(right), 128, "\nspeed x%g%s", rd.input.speed,
               rd.input.paused ? " (paused)" : "");
      sf_render_draw(&rd, r->d, mk, sf_replay_suture(r, i, mk, nmk), left, right, NULL);
      frames++;
    }

    // the next episode
    if (rd.input.next) {
      rd.input.next = 0;
      long id = r->row->episode_id + 1 < r->data.nepisodes ? r->row->episode_id + 1 : 0;
      sfReplay next;
      sfError why = {{0}};
      if (sf_replay_load(&next, a->store, id, a->resimulate, a->controller, &why) == SF_OK) {
        sf_replay_free(r);
        *r = next;
        rd.m = r->s.m;  // the same model (the store's hash), loaded anew: draw with this copy
      } else {
        if (log) fprintf(log, "cannot show episode %ld: %s\n", id, why.msg);
        sf_replay_free(&next);
      }
    }
  }
  if (log) fprintf(log, "window closed after %ld frames\n", frames);
  sf_render_free(&rd);
  return st;
}

sftStatus sf_replay(const sfReplayArgs* a, FILE* out, sfError* e) {
  sftStatus st = a->window ? SF_OK : sf_replay_check_out(a, e);
  sfReplay r;
  memset(&r, 0, sizeof(r));
  if (st == SF_OK) st = sf_replay_load(&r, a->store, a->episode, a->resimulate, a->controller, e);
  if (st == SF_OK)
    st = a->window ? sf_replay_window(&r, a, out, e) : sf_replay_files(&r, a, out, e);
  sf_replay_free(&r);
  return st;
}
