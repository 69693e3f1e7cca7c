// episode.c: the suturing episode: needle, tissue, jaws, scoring and the controller, stepped
// with MuJoCo.
#include "episode.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arm.h"
#include "grip.h"
#include "needle.h"
#include "rng.h"

#define SF_JAW_WIDTH_M 0.002  // jaw width that tears tissue when the jaws move inside it
#define SF_GRASP_SIDE (-1)    // the needle is handed over with its centre on the tcp's -x side
#define SF_CALIB_COMMON_KEY 0xFFFFFFFFu  // stream key of the calibration error all robots share

// the calibration error's spread (documented at sfCalib): per axis, the shared part's position SD
// and clip (m) and rotation SD (deg), then the robot's own
#define SF_CALIB_COMMON_SD_M 0.0012
#define SF_CALIB_COMMON_CLIP_M 0.0025
#define SF_CALIB_COMMON_ROT_SD_DEG 0.3
#define SF_CALIB_OWN_SD_M 0.0004
#define SF_CALIB_OWN_CLIP_M 0.0012
#define SF_CALIB_OWN_ROT_SD_DEG 0.2

_Static_assert(SF_SUTURE_MAX == SF_MAX_STITCHES, "a stitch per throw");

sftStatus sf_worker_make(sfWorker* w, const sfScene* s, const sfController* c, sfError* e) {
  memset(w, 0, sizeof(*w));
  w->ctrl = c;
  w->d = mj_makeData(s->m);
  w->ctrl_buf = SF_CALLOC(s->m->nu, sizeof(mjtNum));
  w->host = SF_CALLOC(1, sizeof(sfHost));
  if (!w->d || sf_host_make(w->host, s, e) != SF_OK) {
    sf_worker_free(w);
    return sf_fail(e, SF_ERR_RUN, "could not allocate a worker for controller '%s'", c->name);
  }

  // the controller's own state
  w->state = c->api->create(&w->host->pub);
  if (!w->state) {
    sf_worker_free(w);
    return sf_fail(e, SF_ERR_RUN, "controller '%s': create() returned NULL", c->name);
  }
  return SF_OK;
}

void sf_worker_free(sfWorker* w) {
  if (!w) return;
  if (w->state && w->ctrl->api->destroy) w->ctrl->api->destroy(w->state);
  if (w->d) mj_deleteData(w->d);
  sf_host_free(w->host);
  free(w->host);
  free(w->ctrl_buf);
  memset(w, 0, sizeof(*w));
}

void sf_traj_make(sfTraj* t, const mjModel* m, int stitches) {
  memset(t, 0, sizeof(*t));
  t->cap = (int)(stitches * SF_THROW_TIME_S * SF_TRAJ_HZ) + 2;
  t->nstate = m->nq + m->nv + 7 * m->nmocap;
  size_t cap = (size_t)t->cap;
  t->actions = SF_CALLOC(cap * (size_t)m->nu, sizeof(double));
  t->joint_pos = SF_CALLOC(cap * SF_NAXIS, sizeof(double));
  t->tcp_pos = SF_CALLOC(cap * 3, sizeof(double));
  t->tcp_quat = SF_CALLOC(cap * 4, sizeof(double));
  t->needle_pos = SF_CALLOC(cap * 3, sizeof(double));
  t->needle_quat = SF_CALLOC(cap * 4, sizeof(double));
  t->needle_tip = SF_CALLOC(cap * 3, sizeof(double));
  t->thread_tension = SF_CALLOC(cap, sizeof(double));
  t->thread_path = SF_CALLOC(cap * 3 * SF_THREAD_PTS, sizeof(double));
  t->wound_gap = SF_CALLOC(cap * SF_WOUND_GAP_N, sizeof(double));
  t->holder = SF_CALLOC(cap, sizeof(int8_t));
  t->states = SF_CALLOC(cap * (size_t)t->nstate, sizeof(double));
}

void sf_traj_free(sfTraj* t) {
  if (!t) return;
  free(t->actions);
  free(t->joint_pos);
  free(t->tcp_pos);
  free(t->tcp_quat);
  free(t->needle_pos);
  free(t->needle_quat);
  free(t->needle_tip);
  free(t->thread_tension);
  free(t->thread_path);
  free(t->wound_gap);
  free(t->holder);
  free(t->states);
  memset(t, 0, sizeof(*t));
}

void sf_calib_draw(uint64_t seed, int32_t robot, sfCalib* c) {
  // the model's systematic error, shared by every robot of the experiment ...
  sfRng common, own;
  sf_rng_init(&common, seed, SF_CALIB_COMMON_KEY, 0, SF_STREAM_ROBOT);
  sf_rng_init(&own, seed, (uint32_t)robot, 0, SF_STREAM_ROBOT);
  for (int i = 0; i < 3; i++) {
    c->bias_m[i] = mju_clip(SF_CALIB_COMMON_SD_M * sf_rng_normal(&common), -SF_CALIB_COMMON_CLIP_M,
                            SF_CALIB_COMMON_CLIP_M);
    c->rot_rad[i] = SF_CALIB_COMMON_ROT_SD_DEG * SF_DEG * sf_rng_normal(&common);
  }

  // ... plus the robot's own
  for (int i = 0; i < 3; i++) {
    c->bias_m[i] += mju_clip(SF_CALIB_OWN_SD_M * sf_rng_normal(&own), -SF_CALIB_OWN_CLIP_M,
                             SF_CALIB_OWN_CLIP_M);
    c->rot_rad[i] += SF_CALIB_OWN_ROT_SD_DEG * SF_DEG * sf_rng_normal(&own);
  }
}

void sf_calib_units(const sfCalib* c, double bias_mm[3], double rot_deg[3]) {
  for (int i = 0; i < 3; i++) {
    bias_mm[i] = 1000 * c->bias_m[i];
    rot_deg[i] = SF_RAD2DEG * c->rot_rad[i];
  }
}

void sf_context_draw(const sfScene* s, uint64_t seed, int32_t robot, int32_t round, int stitches,
                     int calibrated, sfContext* c) {
  sfRng r;
  memset(c, 0, sizeof(*c));
  SF_ASSERT(stitches >= 1 && stitches <= s->npair);
  sf_rng_init(&r, seed, (uint32_t)robot, (uint32_t)round, SF_STREAM_CONTEXT);
  c->line_offset_m = sf_rng_range(&r, -0.002, 0.002);
  c->first_pair = (int)(sf_rng_u32(&r) % (uint32_t)(s->npair - stitches + 1));
  c->grasp_angle_rad = sf_rng_range(&r, 15 * SF_DEG, 35 * SF_DEG);
  c->grasp_tilt_rad = sf_rng_range(&r, -5 * SF_DEG, 5 * SF_DEG);
  c->puncture_N = sf_rng_range(&r, 0.6, 1.4);
  c->indent_k_N_m = sf_rng_range(&r, 800, 1500);
  c->friction_Ns_m2 = sf_rng_range(&r, 1000, 3000);
  c->cut_N = sf_rng_range(&r, 0.1, 0.3);
  c->lateral_k_N_m2 = sf_rng_range(&r, 1e5, 3e5);
  c->tear_mm = sf_rng_range(&r, 0.10, 0.20);
  // drawn after the needle-tissue values, so those of a context stay what they were before the
  // wound and the thread existed
  c->gap_mm = sf_rng_range(&r, 2, 4);
  c->edge_k_N_mm2 = sf_rng_range(&r, 0.035, 0.055);
  c->strength_N = sf_rng_range(&r, 3, 5);
  c->slack_mm = sf_rng_range(&r, 6, 12);
  c->thread_mu = sf_rng_range(&r, 0.15, 0.35);
  if (!calibrated) sf_calib_draw(seed, robot, &c->calib);
}

// everything the step loop carries
typedef struct sfRunState_ {
  sfHoles holes;                  // this episode's holes (shifted by the context)
  sfHoles seen;                   // the holes as the robot perceives them (calibration error)
  sfTissueParams tissue;          // pad geometry and material
  sfTissueState ts;               // interaction state
  sfSutureParams sp;              // the wound and the thread
  sfSutureState ss;               //   and their state
  int passed[SF_MAX_STITCHES];    // the throw's stitch is passed (its needle tail left the exit)
  sfGrip grip;                    // who holds the needle
  sfJaws jaws[SF_GRIP_MAX_ARMS];  // each arm's jaws at this step
  mjtNum needle_pos[3];           // needle pose (world)
  mjtNum needle_quat[4];
  mjtNum tip[3];                         // needle tip (world)
  mjtNum tail[3];                        // needle tail (world), where the thread is fixed
  mjtNum tcp_prev[SF_GRIP_MAX_ARMS][3];  // each arm's tcp position at the previous step
  int drives2;                  // the controller drives the second arm (else the host holds it)
  double jaw_trauma_mm2;        // tissue torn by the jaws
  int throw_index;              // current throw
  int pulled[SF_MAX_STITCHES];  // throw pulled through
  mjtNum throw_t0;              // start time of the current throw
  mjtNum thread_force[3];       // the thread's force on the needle at its tail (world, N): the
  mjtNum thread_N;              //   suture model's, or the soft scene's rope's; its magnitude
  int rope_moved;               // the needle was put in the jaws: the rope goes with it
} sfRunState;

// the episode's hole frames: shifted along the wound; and as the robot perceives them
void sf_context_holes(const sfScene* s, const sfContext* c, sfHoles* h) {
  *h = s->holes;
  for (int i = 0; i < s->npair; i++) {
    mju_addScl3(h->entry_pos[i], h->entry_pos[i], s->wound_dir, c->line_offset_m);
    mju_addScl3(h->exit_pos[i], h->exit_pos[i], s->wound_dir, c->line_offset_m);
  }
}

static void sf_episode_holes(const sfScene* s, const sfContext* c, sfRunState* rs) {
  sf_context_holes(s, c, &rs->holes);

  // perceived: rotated about the pad centre and shifted by the calibration error
  mjtNum q[4], rv[3] = {c->calib.rot_rad[0], c->calib.rot_rad[1], c->calib.rot_rad[2]};
  mjtNum angle = mju_normalize3(rv);
  mju_axisAngle2Quat(q, rv, angle);
  rs->seen = rs->holes;
  for (int i = 0; i < s->npair; i++) {
    mjtNum* pts[2] = {rs->seen.entry_pos[i], rs->seen.exit_pos[i]};
    for (int k = 0; k < 2; k++) {
      mjtNum rel[3], rot[3];
      mju_sub3(rel, pts[k], s->pad_center_m);
      mju_rotVecQuat(rot, rel, q);
      for (int j = 0; j < 3; j++) pts[k][j] = s->pad_center_m[j] + rot[j] + c->calib.bias_m[j];
    }
  }
}

// pad geometry from the scene, material from the context
static void sf_episode_tissue(const sfScene* s, const sfContext* c, sfTissueParams* p) {
  p->top_z_m = s->pad_center_m[2] + s->pad_half_m[2];
  p->bottom_z_m = s->pad_center_m[2] - s->pad_half_m[2];
  for (int i = 0; i < 2; i++) p->center_m[i] = s->pad_center_m[i], p->half_m[i] = s->pad_half_m[i];
  p->puncture_N = c->puncture_N;
  p->indent_k_N_m = c->indent_k_N_m;
  p->support_k_N_m = s->skin_k_N_m;
  p->friction_Ns_m2 = c->friction_Ns_m2;
  p->cut_N = c->cut_N;
  p->lateral_k_N_m2 = c->lateral_k_N_m2;
  p->tear_m = 0.001 * c->tear_mm;
}

// the wound along the scene's wound line, its edges and the thread from the context
static void sf_episode_suture(const sfScene* s, const sfContext* c, sfSutureParams* p) {
  p->gap0_m = 0.001 * c->gap_mm;
  p->edge_k_N_m2 = 1e6 * c->edge_k_N_mm2;
  p->strength_N = c->strength_N;
  p->slack_m = 0.001 * c->slack_mm;
  p->mu = c->thread_mu;
  mju_copy3(p->wound_pos, s->wound_pos_m);
  mju_copy3(p->wound_dir, s->wound_dir);
}

// every arm's tcp pose (world) and jaw opening of this step, from the data's kinematics
static void sf_episode_tcp(const sfScene* s, const mjData* d, sfRunState* rs) {
  const mjModel* m = s->m;
  for (int a = 0; a < s->narm; a++) {
    const sfArm* arm = sf_scene_arm(s, a);
    sfJaws* j = &rs->jaws[a];
    mju_copy3(j->tcp_pos, d->site_xpos + 3 * arm->tcp_site);
    mju_mat2Quat(j->tcp_quat, d->site_xmat + 9 * arm->tcp_site);
    j->opening =
        d->qpos[m->jnt_qposadr[arm->jaw_jnt[0]]] + d->qpos[m->jnt_qposadr[arm->jaw_jnt[1]]];
  }
}

static int sf_episode_in_tissue(const void* tissue, const mjtNum x[3]) {
  return sf_tissue_contains(tissue, x);
}

// jaws: each arm lets go when it opens and catches the needle when it closes on it (grip.h)
static void sf_episode_jaws(const sfScene* s, const mjData* d, sfRunState* rs,
                            sfEpisodeResult* out) {
  sfGrip* g = &rs->grip;
  int missed = g->missed[0] + g->missed[1] - g->handover_missed;
  int ev = sf_grip_step(g, rs->jaws, rs->needle_pos, rs->needle_quat, s->needle_radius_m,
                        rs->ts.engaged, sf_episode_in_tissue, &rs->tissue, d->time);
  if ((ev & SF_GRIP_RELEASED) && (g->released & 1)) {
    out->throw_score[rs->throw_index].released = 1;
  }
  if (ev & SF_GRIP_DROPPED) out->dropped = 1;
  out->regrasp_failures += g->missed[0] + g->missed[1] - g->handover_missed - missed;
}

// soft scene: the skin shows the tissue model's dimple under the unpunctured tip (tissue.h):
// the particle nearest the tip in the surface plane is put that far below its rest, at rest;
// every other particle, and that one once the dimple is gone, moves under the skin's dynamics
static void sf_episode_skin(const sfScene* s, mjData* d, const sfRunState* rs) {
  if (!s->nskin || !(rs->ts.dimple_m > 0)) return;
  int best = 0;
  mjtNum bestd = 1e9;
  for (int i = 0; i < s->nskin; i++) {
    const mjtNum* x = d->xpos + 3 * s->skin_body[i];
    mjtNum dx = x[0] - rs->tip[0], dy = x[1] - rs->tip[1];
    if (dx * dx + dy * dy < bestd) bestd = dx * dx + dy * dy, best = i;
  }
  d->qpos[s->skin_qadr[best]] = s->skin_rest_q[best] - rs->ts.dimple_m;
  d->qvel[s->skin_dadr[best]] = 0;
}

// the gap along the wound at x: the simulated edges' (soft scene) or the analytic model's
typedef struct sfGapCtx_ {
  const sfScene* s;
  const mjData* d;
  const sfRunState* rs;
} sfGapCtx;

static mjtNum sf_episode_gap(const void* ctx, mjtNum x) {
  const sfGapCtx* g = ctx;
  return g->s->edges.n ? sf_edges_gap(&g->s->edges, g->d, x)
                       : sf_suture_gap(&g->rs->sp, &g->rs->ss, x);
}

// the thread's force on the needle as the suture model has it (the soft scene's rope reads its
// own after each step instead)
static void sf_episode_thread_model(const sfScene* s, sfRunState* rs) {
  if (s->rope.n) return;
  mju_copy3(rs->thread_force, rs->ss.force);
  rs->thread_N = rs->ss.tension_N;
}

// the needle has just left the tissue: when its tip went in at the entry and out at the exit
// of this throw, the thread now runs through that tunnel (the tunnel's circle as the tissue
// model cut it) and the stitch is passed; a needle withdrawn the way it came passes none
static void sf_episode_pass(const sfScene* s, const mjData* d, sfRunState* rs,
                            const sfThrowScore* t, const mjtNum tail[3]) {
  if (rs->passed[rs->throw_index] || !t->inserted || !t->exited || t->backed_out) return;
  rs->passed[rs->throw_index] = 1;
  sf_suture_pass_tunnel(&rs->sp, &rs->ss, t->entry_pt, t->exit_pt, rs->ts.tunnel_c, rs->ts.tunnel_n,
                        s->needle_radius_m, tail);
  if (rs->ss.measured && rs->ss.n) {
    sfStitch* st = &rs->ss.st[rs->ss.n - 1];
    st->gap_pass_m = sf_edges_gap(&s->edges, d, st->s_m);
  }
}

// needle pose, tissue wrench on the tool (updated every s->tissue_every steps)
static void sf_episode_needle(const sfScene* s, mjData* d, sfRunState* rs,
                              const sfEpisodeResult* out, int tissue_step) {
  const mjModel* m = s->m;
  sf_grip_needle(&rs->grip, rs->jaws, rs->needle_pos, rs->needle_quat);
  mju_copy3(d->mocap_pos + 3 * s->needle_mocap, rs->needle_pos);
  mju_copy4(d->mocap_quat + 4 * s->needle_mocap, rs->needle_quat);

  // tissue forces act on the tool through the grasp (the soft scene's skin shows the dimple
  // under the tip); the thread pulls the needle at its tail
  mjtNum tail_local[3];
  const mjtNum* tail = rs->tail;
  sf_needle_point(s->needle_radius_m, 0, tail_local);
  sf_frame_point(rs->needle_pos, rs->needle_quat, tail_local, rs->tail);
  if (tissue_step) {
    int engaged = rs->ts.engaged;
    sf_tissue_step(&rs->tissue, s->needle_radius_m, &rs->ts, rs->needle_pos, rs->needle_quat,
                   s->tissue_every * m->opt.timestep);
    sf_episode_skin(s, d, rs);
    if (engaged && !rs->ts.engaged) {
      sf_episode_pass(s, d, rs, &out->throw_score[rs->throw_index], tail);
    }
    if (rs->ss.measured && rs->ss.n) {
      const sfStitch* st = &rs->ss.st[rs->ss.n - 1];
      rs->ss.closed_m = mju_max(0, st->gap_pass_m - sf_edges_gap(&s->edges, d, st->s_m));
    }
    sf_suture_step(&rs->sp, &rs->ss, tail);
    sf_episode_thread_model(s, rs);
  }
  sf_edges_apply(&s->edges, m, d, &rs->sp, &rs->ss);

  // the soft scene's rope: with the needle when it is put in the jaws, pulled into the tissue
  // at the last exit while the thread is taut
  if (rs->rope_moved) sf_rope_place(&s->rope, m, d, tail), rs->rope_moved = 0;
  if (rs->ss.n) sf_rope_pull(&s->rope, d, rs->ss.st[rs->ss.n - 1].exit, rs->ss.tension_N);
  for (int a = 0; a < s->narm; a++) mju_zero(d->xfrc_applied + 6 * sf_scene_arm(s, a)->tcp_body, 6);
  int lead = rs->grip.lead;
  if (lead >= 0 && rs->grip.held[lead]) {
    int body = sf_scene_arm(s, lead)->tcp_body;
    mjtNum* xf = d->xfrc_applied + 6 * body;
    mjtNum arm[3], extra[3], f[3], tq[3];
    mju_add3(f, rs->ts.force, rs->thread_force);
    mju_sub3(arm, tail, rs->needle_pos);
    mju_cross(tq, arm, rs->thread_force);
    mju_addTo3(tq, rs->ts.torque);
    mju_copy3(xf, f);
    mju_sub3(arm, rs->needle_pos, d->xipos + 3 * body);
    mju_cross(extra, arm, f);
    mju_add3(xf + 3, tq, extra);
  }
}

// scoring of this step: the tip's path through the hole planes, the jaws' trauma
static void sf_episode_score(const sfScene* s, sfRunState* rs, sfEpisodeResult* out) {
  // the tip's path through the hole planes
  mjtNum tip_prev[3], tip_local[3];
  mju_copy3(tip_prev, rs->tip);
  sf_needle_point(s->needle_radius_m, mjPI, tip_local);
  sf_frame_point(rs->needle_pos, rs->needle_quat, tip_local, rs->tip);
  sf_score_update(&out->throw_score[rs->throw_index], &rs->holes, tip_prev, rs->tip);

  // jaws moving inside the tissue tear it
  for (int a = 0; a < s->narm; a++) {
    const mjtNum* tpos = rs->jaws[a].tcp_pos;
    if (sf_tissue_contains(&rs->tissue, tpos)) {
      rs->jaw_trauma_mm2 += 1e6 * SF_JAW_WIDTH_M * mju_dist3(tpos, rs->tcp_prev[a]);
    }
    mju_copy3(rs->tcp_prev[a], tpos);
  }
}

// the needle in the jaws at the start, before any motion
static void sf_episode_place(const sfScene* s, mjData* d, sfRunState* rs) {
  mjtNum tip_local[3];
  sf_episode_tcp(s, d, rs);
  sf_grip_needle(&rs->grip, rs->jaws, rs->needle_pos, rs->needle_quat);
  mju_copy3(d->mocap_pos + 3 * s->needle_mocap, rs->needle_pos);
  mju_copy4(d->mocap_quat + 4 * s->needle_mocap, rs->needle_quat);
  sf_needle_point(s->needle_radius_m, mjPI, tip_local);
  sf_frame_point(rs->needle_pos, rs->needle_quat, tip_local, rs->tip);
  for (int a = 0; a < s->narm; a++) mju_copy3(rs->tcp_prev[a], rs->jaws[a].tcp_pos);
  sf_tissue_reset(&rs->ts);
  sf_tissue_hold(&rs->ts, rs->needle_pos, rs->needle_quat);
}

// the controller's view
static void sf_episode_obs(const sfScene* s, const mjData* d, const sfRunState* rs,
                           const sfEpisodeResult* out, sfcObs* o) {
  int pair = out->throw_score[rs->throw_index].pair;
  o->time_s = d->time;
  o->throw_index = rs->throw_index;
  o->nthrow = out->stitches;
  mju_copy3(o->entry, rs->seen.entry_pos[pair]);
  mju_copy3(o->exit, rs->seen.exit_pos[pair]);
  const mjtNum* hm = rs->holes.entry_mat[pair];
  o->normal[0] = hm[2], o->normal[1] = hm[5], o->normal[2] = hm[8];
  mju_copy3(o->tcp_pos, rs->jaws[0].tcp_pos);
  mju_copy4(o->tcp_quat, rs->jaws[0].tcp_quat);
  mju_copy3(o->needle_pos, rs->needle_pos);
  mju_copy4(o->needle_quat, rs->needle_quat);
  o->needle_radius_m = s->needle_radius_m;
  o->grasped = rs->grip.held[0];
  o->engaged = rs->ts.engaged;
  sf_arm_axes(s->m, d, &s->arm, o->q);
  mju_copy3(o->tissue_force_N, rs->ts.force);
  mju_copy3(o->tissue_torque_Nm, rs->ts.torque);
  o->thread_tension_N = rs->thread_N;
  mju_copy3(o->thread_dir, rs->thread_force);
  mjtNum slack_N = s->rope.n ? SF_ROPE_SLACK_N : mjMINVAL;
  if (mju_normalize3(o->thread_dir) < slack_N) mju_zero3(o->thread_dir);
  o->stitches_passed = rs->ss.n;
  o->narm = s->narm;
  o->holder = rs->grip.lead;
  if (s->narm == 2) {
    mju_copy3(o->tcp2_pos, rs->jaws[1].tcp_pos);
    mju_copy4(o->tcp2_quat, rs->jaws[1].tcp_quat);
    sf_arm_axes(s->m, d, &s->arm2, o->q2);
    o->grasped2 = rs->grip.held[1];
  } else {
    // no second arm: its fields are zero, as the ABI says
    mju_zero3(o->tcp2_pos);
    mju_zero4(o->tcp2_quat);
    mju_zero(o->q2, SFC_NAXIS);
    o->grasped2 = 0;
  }
}

// check and apply the controller's controls: an out-of-range control is clamped to its
// actuator's range (returns 1), a non-finite one leaves that actuator's control as it was
// (returns 2); 0 when all are fine
static int sf_episode_apply(const mjModel* m, mjData* d, const mjtNum* u) {
  int fault = 0;
  for (int i = 0; i < m->nu; i++) {
    const mjtNum* range = m->actuator_ctrlrange + 2 * i;
    if (!isfinite(u[i])) {
      fault = 2;
      continue;
    }
    if ((u[i] < range[0] - 1e-9 || u[i] > range[1] + 1e-9) && !fault) fault = 1;
    d->ctrl[i] = mju_clip(u[i], range[0], range[1]);
  }
  return fault;
}

// the thread's path (padded with its last point; NaN before it enters the tissue) and the gap
// along the wound line, as a trajectory sample records them
static void sf_episode_record_thread(const sfScene* s, const mjData* d, const sfRunState* rs,
                                     const sfEpisodeResult* out, double* path, double* gap) {
  mjtNum pts[SF_THREAD_PTS][3];
  const sfThrowScore* t = &out->throw_score[rs->throw_index];
  int in = rs->ts.engaged && t->inserted && !rs->passed[rs->throw_index];
  int n = sf_suture_path(&rs->ss, in ? t->entry_pt : NULL, rs->tail, pts);
  for (int i = 0; i < SF_THREAD_PTS; i++) {
    for (int j = 0; j < 3; j++) path[3 * i + j] = n ? pts[i < n ? i : n - 1][j] : NAN;
  }
  for (int i = 0; i < SF_WOUND_GAP_N; i++) {
    mjtNum x = (i - (SF_WOUND_GAP_N - 1) / 2) * SF_WOUND_GAP_STEP_M;
    sfGapCtx g = {s, d, rs};
    gap[i] = 1000 * sf_episode_gap(&g, x);
  }
}

// record one trajectory sample of the current state (when there is room)
static void sf_episode_record(const sfScene* s, const mjData* d, const sfRunState* rs,
                              const sfEpisodeResult* out, sfTraj* t) {
  const mjModel* m = s->m;
  if (!t || t->n >= t->cap) return;
  int k = t->n++;
  mjtNum q[SF_NAXIS];
  sf_arm_axes(m, d, &s->arm, q);
  mju_copy(t->actions + (size_t)k * m->nu, d->ctrl, m->nu);
  mju_copy(t->joint_pos + (size_t)k * SF_NAXIS, q, SF_NAXIS);
  mju_copy3(t->tcp_pos + 3 * k, rs->jaws[0].tcp_pos);
  mju_copy4(t->tcp_quat + 4 * k, rs->jaws[0].tcp_quat);
  mju_copy3(t->needle_pos + 3 * k, rs->needle_pos);
  mju_copy4(t->needle_quat + 4 * k, rs->needle_quat);
  mju_copy3(t->needle_tip + 3 * k, rs->tip);
  sf_episode_record_thread(s, d, rs, out, t->thread_path + (size_t)k * 3 * SF_THREAD_PTS,
                           t->wound_gap + (size_t)k * SF_WOUND_GAP_N);
  t->thread_tension[k] = rs->thread_N;
  t->holder[k] = (int8_t)rs->grip.lead;
  double* st = t->states + (size_t)k * t->nstate;
  mju_copy(st, d->qpos, m->nq);
  mju_copy(st + m->nq, d->qvel, m->nv);
  mju_copy(st + m->nq + m->nv, d->mocap_pos, 3 * m->nmocap);
  mju_copy(st + m->nq + m->nv + 3 * m->nmocap, d->mocap_quat, 4 * m->nmocap);
}

// count of MuJoCo's bad-state warnings so far
static int sf_bad_state_count(const mjData* d) {
  return d->warning[mjWARN_BADQPOS].number + d->warning[mjWARN_BADQVEL].number +
         d->warning[mjWARN_BADQACC].number;
}

// start a throw: scoring for its pair; with put_back, the needle in the first arm's jaws at the
// context's grasp (the first throw, and every throw of a one-arm scene)
static void sf_episode_throw(const sfScene* s, sfRunState* rs, sfEpisodeResult* out, mjtNum time,
                             int put_back) {
  rs->throw_t0 = time;
  sf_score_reset(&out->throw_score[rs->throw_index], out->ctx.first_pair + rs->throw_index);
  if (!put_back) return;
  mjtNum rel_pos[3], rel_quat[4];
  sf_grasp_pose(s->needle_radius_m, out->ctx.grasp_angle_rad, out->ctx.grasp_tilt_rad,
                SF_GRASP_SIDE, rel_pos, rel_quat);
  sf_grip_reset(&rs->grip, s->narm, 0, rel_pos, rel_quat);
  rs->rope_moved = 1;
}

// add a throw's insertion and exit offsets from its holes, in the wound frame (along the
// wound, across it towards the exit, along the normal), in mm
static void sf_episode_offset(const sfScene* s, const sfHoles* h, const sfThrowScore* t,
                              double entry[3], double exit[3]) {
  const mjtNum* hm = h->entry_mat[t->pair];
  mjtNum n[3] = {hm[2], hm[5], hm[8]}, across[3], de[3], dx[3];
  mju_cross(across, n, s->wound_dir);
  mju_sub3(de, t->entry_pt, h->entry_pos[t->pair]);
  mju_sub3(dx, t->exit_pt, h->exit_pos[t->pair]);
  const mjtNum* axes[3] = {s->wound_dir, across, n};
  for (int i = 0; i < 3; i++) {
    entry[i] += 1000 * mju_dot3(de, axes[i]);
    exit[i] += 1000 * mju_dot3(dx, axes[i]);
  }
}

// STAR and summary metrics from the throws
static void sf_episode_summary(const sfScene* s, sfEpisodeResult* out, const sfRunState* rs) {
  double entry = 0, exit = 0, out_mm = 0, bite = 0, sp[SF_MAX_STITCHES], sp_sum = 0;
  int ne = 0, nx = 0, nb = 0, nsp = 0;
  const mjtNum* prev = NULL;
  for (int i = 0; i < out->stitches; i++) {
    const sfThrowScore* t = &out->throw_score[i];
    out->insertions += t->insertions;
    if (sf_score_throw_ok(t, SF_SUCCESS_TOL_MM) && rs->pulled[i]) out->throws_ok++;
    const mjtNum* pts[2] = {t->inserted ? t->entry_pt : NULL, t->exited ? t->exit_pt : NULL};
    for (int k = 0; k < 2; k++) {
      if (!pts[k]) continue;
      mjtNum rel[3];
      mju_sub3(rel, pts[k], s->wound_pos_m);
      mju_addScl3(rel, rel, s->wound_dir, -mju_dot3(rel, s->wound_dir));
      bite += 1000 * mju_sqrt(rel[0] * rel[0] + rel[1] * rel[1]), nb++;
    }
    if (t->inserted) {
      entry += t->entry_err_mm, ne++;
      if (prev)
        sp[nsp] =
            1000 * mju_abs(mju_dot3(t->entry_pt, s->wound_dir) - mju_dot3(prev, s->wound_dir)),
        sp_sum += sp[nsp++];
      prev = t->entry_pt;
    }
    if (t->exited) exit += t->exit_err_mm, out_mm += t->tip_out_mm, nx++;
    if (t->inserted && t->exited) {
      sf_episode_offset(s, &rs->holes, t, out->entry_off_mm, out->exit_off_mm);
      out->has_offsets++;
    }
  }
  for (int i = 0; out->has_offsets && i < 3; i++) {
    out->entry_off_mm[i] /= out->has_offsets;
    out->exit_off_mm[i] /= out->has_offsets;
  }
  out->has_offsets = out->has_offsets > 0;
  out->entry_err_mm = ne ? entry / ne : NAN;
  out->exit_err_mm = nx ? exit / nx : NAN;
  out->tip_out_mm = nx ? out_mm / nx : NAN;
  out->bite_mm = nb ? bite / nb : NAN;
  out->spacing_mean_mm = nsp ? sp_sum / nsp : NAN;
  double var = 0;
  for (int i = 0; i < nsp; i++)
    var += (sp[i] - out->spacing_mean_mm) * (sp[i] - out->spacing_mean_mm);
  out->spacing_sd_mm = nsp >= 2 ? sqrt(var / (nsp - 1)) : NAN;
}

// the result's header from the spec, and the episode's context
static void sf_episode_begin(const sfScene* s, const sfSkillDef* skill, const sfEpisodeSpec* spec,
                             sfEpisodeResult* out) {
  memset(out, 0, sizeof(*out));
  out->episode_id = spec->episode_id;
  out->round = spec->round;
  out->cohort = spec->cohort;
  out->join_round = spec->join_round;
  out->robot = spec->robot;
  out->stitches = spec->stitches;
  out->ntheta = skill->n;
  memcpy(out->theta, spec->theta, sizeof(double) * (size_t)skill->n);
  for (int i = 0; i < SF_MAX_STITCHES; i++) out->throw_time_s[i] = NAN;
  sf_context_draw(s, spec->seed, spec->context_robot, spec->round, spec->stitches, spec->calibrated,
                  &out->ctx);
}

// where psm2 starts: at home for a controller that drives it, else parked
static const double* sf_episode_hold2(const sfScene* s, const sfRunState* rs) {
  return rs->drives2 ? s->arm2_home : s->arm2_park;
}

// the scene of this episode, the arm at home with the needle in its jaws, and the controller
// reset to its first view of it
static void sf_episode_setup(const sfScene* s, sfWorker* w, const sfEpisodeSpec* spec,
                             sfRunState* rs, sfEpisodeResult* out, sfcObs* obs) {
  const mjModel* m = s->m;
  mjData* d = w->d;
  memset(rs, 0, sizeof(*rs));
  rs->drives2 = s->narm == 2 && w->ctrl->arms == 2;
  sf_episode_holes(s, &out->ctx, rs);
  sf_episode_tissue(s, &out->ctx, &rs->tissue);
  sf_episode_suture(s, &out->ctx, &rs->sp);
  sf_suture_reset(&rs->ss);
  mj_resetDataKeyframe(m, d, s->home_key);
  if (s->narm == 2 && !rs->drives2) {
    d->qpos[s->arm2.qadr[SF_AXIS_INSERTION]] = s->arm2_park[SF_AXIS_INSERTION];
  }
  sf_edges_place(&s->edges, d, &rs->sp);
  rs->ss.measured = s->edges.n > 0;
  mj_forward(m, d);
  sf_episode_throw(s, rs, out, d->time, 1);
  sf_episode_place(s, d, rs);
  sf_episode_obs(s, d, rs, out, obs);
  // a second arm's controls start as its servo's hold where it starts (at home, or parked for
  // a one-arm controller), so that a controller that does not write them on a step never
  // applies another episode's
  if (s->narm == 2) sf_arm_servo(m, d, &s->arm2, sf_episode_hold2(s, rs), w->ctrl_buf);
  w->ctrl->api->reset(w->state, m, d, obs, spec->theta);
}

// one controller step: its view, its controls checked and applied; returns its result, or -1
// when the episode ends as a fault (a result outside the ABI's set, whose controls are unused,
// or a non-finite control; an out-of-range control is clamped and counted, and goes on)
static int sf_episode_control(const sfScene* s, sfWorker* w, const sfRunState* rs,
                              sfEpisodeResult* out, sfcObs* obs) {
  const mjModel* m = s->m;
  mjData* d = w->d;
  sf_episode_obs(s, d, rs, out, obs);
  int cs = w->ctrl->api->step(w->state, m, d, obs, w->ctrl_buf);
  // an arm no controller drives is held parked
  if (s->narm == 2 && !rs->drives2) sf_arm_servo(m, d, &s->arm2, s->arm2_park, w->ctrl_buf);
  if (cs != SFC_RUN && cs != SFC_THROW_DONE && cs != SFC_GIVE_UP) {
    out->fault = 1;
    return -1;
  }
  int fault = sf_episode_apply(m, d, w->ctrl_buf);
  out->fault |= fault != 0;
  return fault == 2 ? -1 : cs;
}

// a throw the controller has finished: scored as pulled through (out of the tissue, in an arm's
// jaws) or not; returns 1 when the next throw starts, 0 when the episode ends. The next throw
// starts with the needle where the arms left it in a two-arm scene, and put back in the jaws by
// the program in a one-arm scene (which cannot hand it over)
static int sf_episode_next_throw(const sfScene* s, const mjData* d, int stitches, sfRunState* rs,
                                 sfEpisodeResult* out) {
  rs->pulled[rs->throw_index] = !rs->ts.engaged && rs->grip.lead >= 0;
  sf_suture_lock(&rs->ss);
  sf_episode_thread_model(s, rs);
  out->throw_time_s[rs->throw_index] = d->time - rs->throw_t0;
  if (!rs->pulled[rs->throw_index] || ++rs->throw_index == stitches) return 0;
  sf_episode_throw(s, rs, out, d->time, s->narm == 1);
  return 1;
}

// seconds on a monotonic clock
static double sf_clock_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

// a profiling worker adds the time since *t to part and restarts *t; others do nothing
static void sf_prof_lap(sfWorker* w, sftProfPart part, double* t) {
  if (!w->profiling) return;
  double now = sf_clock_s();
  w->prof.part_s[part] += now - *t;
  *t = now;
}

// the step loop, until the throws are done, the time is up or the outcome is settled; returns
// how the episode ended
static sftEnd sf_episode_loop(const sfScene* s, sfWorker* w, const sfEpisodeSpec* spec,
                              sfRunState* rs, sfEpisodeResult* out, sfcObs* obs) {
  const mjModel* m = s->m;
  mjData* d = w->d;
  int nstep = (int)lround(spec->stitches * SF_THROW_TIME_S / m->opt.timestep);
  int record_every = (int)lround(1.0 / (SF_TRAJ_HZ * m->opt.timestep));
  if (spec->traj) spec->traj->n = 0;
  int bad0 = sf_bad_state_count(d);
  double t = w->profiling ? sf_clock_s() : 0;
  for (int k = 0; k < nstep; k++) {
    // positions and velocities: the tool, the jaws (a dropped needle ends the episode), the
    // needle and the tissue's forces on it, the scores; tissue torn beyond the success limit
    // ends the episode too
    mj_step1(m, d);
    sf_prof_lap(w, SF_PROF_PHYSICS, &t);
    sf_episode_tcp(s, d, rs);
    sf_episode_jaws(s, d, rs, out);
    if (out->dropped) return SF_END_DROPPED;
    if (s->narm == 2 && k % s->ctrl_every == 0 &&
        sf_arm_clearance(m, d, &s->arm, &s->arm2, 0) < 0) {
      return SF_END_CLASH;  // instruments cannot pass through each other: the episode fails
    }
    sf_prof_lap(w, SF_PROF_SCORING, &t);
    sf_episode_needle(s, d, rs, out, k % s->tissue_every == 0);
    sf_prof_lap(w, SF_PROF_TISSUE, &t);
    sf_episode_score(s, rs, out);
    sf_prof_lap(w, SF_PROF_SCORING, &t);
    if (rs->ts.trauma_mm2 + rs->jaw_trauma_mm2 + rs->ss.trauma_mm2 > SF_TRAUMA_STOP_MM2) {
      return SF_END_TRAUMA;
    }

    // the controller, at its own rate; the servos hold its last controls in between
    int cs = k % s->ctrl_every == 0 ? sf_episode_control(s, w, rs, out, obs) : SFC_RUN;
    sf_prof_lap(w, SF_PROF_CONTROLLER, &t);
    if (cs < 0) return SF_END_FAULT;
    if (cs == SFC_THROW_DONE && !sf_episode_next_throw(s, d, spec->stitches, rs, out)) {
      return rs->throw_index == spec->stitches ? SF_END_DONE : SF_END_NOT_PULLED;
    }
    if (cs == SFC_GIVE_UP) return SF_END_GAVE_UP;

    // a trajectory sample, then the rest of the step; a bad state ends the episode
    if (k % record_every == 0) sf_episode_record(s, d, rs, out, spec->traj);
    sf_prof_lap(w, SF_PROF_RECORD, &t);
    mj_step2(m, d);
    if (s->rope.n) {
      sf_rope_force(&s->rope, m, d, rs->thread_force);
      rs->thread_N = mju_norm3(rs->thread_force);
    }
    sf_prof_lap(w, SF_PROF_PHYSICS, &t);
    out->steps = k + 1;
    if (sf_bad_state_count(d) > bad0) {
      out->diverged = 1;
      return SF_END_DIVERGED;
    }
  }
  return SF_END_TIME;
}

// the outcome: times, trauma, force, the STAR metrics and success
static void sf_episode_outcome(const sfScene* s, const mjData* d, const sfEpisodeSpec* spec,
                               const sfRunState* rs, sfEpisodeResult* out) {
  out->sim_time_s = d->time;
  out->completed = rs->throw_index == spec->stitches;
  out->throws_done = rs->throw_index;
  out->time_s = out->completed ? d->time : spec->stitches * SF_THROW_TIME_S;
  out->trauma_mm2 = rs->ts.trauma_mm2 + rs->jaw_trauma_mm2 + rs->ss.trauma_mm2;
  out->peak_force_N = rs->ts.peak_force_N;
  sf_episode_summary(s, out, rs);
  sfGapCtx g = {s, d, rs};
  sf_suture_closure_of(&rs->sp, &rs->ss, sf_episode_gap, &g, &out->closure, &out->closure_min);
  out->tension_max_N = rs->ss.tension_max_N;
  out->cut_through = rs->ss.cut_through;
  out->thread_used_mm = 1000 * sf_suture_used(&rs->ss);
  for (int i = 0; i < SF_MAX_STITCHES; i++) {
    out->stitch_tension_N[i] = i < rs->ss.n ? rs->ss.st[i].tension_N : NAN;
  }
  out->handovers = rs->grip.handovers;
  out->handovers_failed = rs->grip.handover_missed + (s->narm == 2 && out->dropped);
  out->handover_s = out->handovers ? rs->grip.handover_s / out->handovers : NAN;
  int handed = s->narm == 1 || out->handovers >= spec->stitches - 1;
  out->success = out->completed && out->throws_ok == spec->stitches && !out->dropped &&
                 !out->diverged && !out->fault && out->trauma_mm2 <= SF_TRAUMA_MAX_MM2 &&
                 out->closure >= SF_CLOSURE_MIN && !out->cut_through && handed;
}

void sf_episode_run(const sfScene* s, sfWorker* w, const sfEpisodeSpec* spec,
                    sfEpisodeResult* out) {
  sfRunState rs;
  sfcObs obs;
  sf_episode_begin(s, &w->ctrl->skill, spec, out);
  sf_episode_setup(s, w, spec, &rs, out, &obs);
  out->end_reason = (uint8_t)sf_episode_loop(s, w, spec, &rs, out, &obs);
  sf_episode_outcome(s, w->d, spec, &rs, out);
}
