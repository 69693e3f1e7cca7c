// episode.c: the foundation episode: carry the needle to a wound target under servo control.
#include "episode.h"

#include <math.h>
#include <string.h>

#include "arm.h"
#include "rng.h"

#define SF_DEG (3.141592653589793 / 180.0)

// motion plan timing (s) and hover height above the target (m)
#define SF_T_APPROACH 1.0
#define SF_T_DESCEND 0.5
#define SF_HOVER_M 0.005
#define SF_DLS_LAMBDA 0.01

// axes moved by the tip tracker: outer yaw, outer pitch, insertion
#define SF_MASK_OUTER ((1u << SF_AXIS_YAW) | (1u << SF_AXIS_PITCH) | (1u << SF_AXIS_INSERTION))

sftStatus sf_worker_make(sfWorker* w, const sfScene* s, sfError* e) {
  w->d = mj_makeData(s->m);
  if (!w->d) return sf_fail(e, SF_ERR_RUN, "MuJoCo could not allocate simulation data");
  return SF_OK;
}

void sf_worker_free(sfWorker* w) {
  if (!w) return;
  if (w->d) mj_deleteData(w->d);
  w->d = NULL;
}

void sf_context_draw(const sfScene* s, uint64_t seed, int32_t robot, int32_t round, sfContext* c) {
  sfRng r;
  sf_rng_init(&r, seed, (uint32_t)robot, (uint32_t)round, SF_STREAM_CONTEXT);
  c->pair = (int)(sf_rng_u32(&r) % (uint32_t)s->npair);
  c->target_offset_m[0] = sf_rng_range(&r, -0.001, 0.001);
  c->target_offset_m[1] = sf_rng_range(&r, -0.001, 0.001);
  c->grasp_angle_rad = sf_rng_range(&r, 20 * SF_DEG, 40 * SF_DEG);
  c->grasp_tilt_rad = sf_rng_range(&r, -5 * SF_DEG, 5 * SF_DEG);
}

void sf_grasp_pose(double radius_m, double grasp_angle, double tilt, mjtNum pos[3],
                   mjtNum quat[4]) {
  // needle plane normal along the tool axis, wire along tcp y at the grasp point:
  // turn the needle by -grasp_angle about z so the grasp point lands on +x ...
  mjtNum qz[4], qy[4];
  mjtNum z[3] = {0, 0, 1}, y[3] = {0, 1, 0};
  mju_axisAngle2Quat(qz, z, -grasp_angle);

  // ... then tilt about the wire, and put the grasp point at the tcp origin
  mju_axisAngle2Quat(qy, y, tilt);
  mju_mulQuat(quat, qy, qz);
  mjtNum centre[3] = {-radius_m, 0, 0};
  mju_rotVecQuat(pos, centre, qy);
}

// minimum-jerk blend from a to b at phase u in [0, 1]
static void sf_minjerk(mjtNum out[3], const mjtNum a[3], const mjtNum b[3], mjtNum u) {
  u = mju_clip(u, 0, 1);
  mjtNum s = u * u * u * (10 - 15 * u + 6 * u * u);
  for (int i = 0; i < 3; i++) out[i] = a[i] + s * (b[i] - a[i]);
}

// needle pose in the world from the tcp frame and the grasp; also the needle tip (world)
static void sf_needle_world(const sfScene* s, const mjData* d, const mjtNum gpos[3],
                            const mjtNum gquat[4], mjtNum npos[3], mjtNum nquat[4],
                            mjtNum tip[3]) {
  mjtNum tquat[4];
  mju_mat2Quat(tquat, d->site_xmat + 9 * s->arm.tcp_site);
  mju_mulPose(npos, nquat, d->site_xpos + 3 * s->arm.tcp_site, tquat, gpos, gquat);
  mjtNum off[3];
  mju_rotVecQuat(off, s->m->site_pos + 3 * s->needle_tip_site, nquat);
  mju_add3(tip, npos, off);
}

// count of MuJoCo's bad-state warnings so far
static int sf_bad_state_count(const mjData* d) {
  return d->warning[mjWARN_BADQPOS].number + d->warning[mjWARN_BADQVEL].number +
         d->warning[mjWARN_BADQACC].number;
}

void sf_episode_run(const sfScene* s, sfWorker* w, const sfEpisodeSpec* spec,
                    sfEpisodeResult* out) {
  const mjModel* m = s->m;
  mjData* d = w->d;
  memset(out, 0, sizeof(*out));
  out->episode_id = spec->episode_id;
  out->round = spec->round;
  out->robot = spec->robot;
  sf_context_draw(s, spec->seed, spec->robot, spec->round, &out->ctx);

  // start from the home keyframe, servos holding it
  mj_resetDataKeyframe(m, d, s->home_key);
  mj_forward(m, d);
  mjtNum home[SF_NAXIS], qref[SF_NAXIS];
  sf_arm_axes(m, d, &s->arm, home);
  mju_copy(qref, home, SF_NAXIS);

  // grasp, the needle tip's start, the target and the hover point
  mjtNum gpos[3], gquat[4], npos[3], nquat[4], tip0[3], tip[3];
  sf_grasp_pose(s->needle_radius_m, out->ctx.grasp_angle_rad, out->ctx.grasp_tilt_rad, gpos,
                gquat);
  sf_needle_world(s, d, gpos, gquat, npos, nquat, tip0);
  const mjtNum* entry = d->site_xpos + 3 * s->entry_site[out->ctx.pair];
  mjtNum target[3] = {entry[0] + out->ctx.target_offset_m[0],
                      entry[1] + out->ctx.target_offset_m[1], entry[2]};
  mjtNum hover[3] = {target[0], target[1], target[2] + SF_HOVER_M};

  // servo loop: kinematics, needle follows the jaws, track the planned tip path, physics
  int nstep = (int)lround(spec->duration_s / m->opt.timestep);
  int bad0 = sf_bad_state_count(d);
  mjtNum track_max = 0, rcm_max = 0;
  const mjtNum* rcm = d->site_xpos + 3 * s->arm.rcm_site;
  for (int k = 0; k < nstep; k++) {
    mj_step1(m, d);
    sf_needle_world(s, d, gpos, gquat, npos, nquat, tip);
    mju_copy3(d->mocap_pos + 3 * s->needle_mocap, npos);
    mju_copy4(d->mocap_quat + 4 * s->needle_mocap, nquat);

    // planned tip position at this time
    mjtNum t = d->time, want[3];
    if (t < SF_T_APPROACH) {
      sf_minjerk(want, tip0, hover, t / SF_T_APPROACH);
    } else {
      sf_minjerk(want, hover, target, (t - SF_T_APPROACH) / SF_T_DESCEND);
    }
    track_max = mju_max(track_max, mju_dist3(want, tip));
    rcm_max = mju_max(rcm_max, sf_arm_rcm_error(m, d, &s->arm, rcm));

    // resolved-rate step on the outer axes, wrist and jaw held at home
    mjtNum q[SF_NAXIS], dq[SF_NAXIS];
    sf_arm_axes(m, d, &s->arm, q);
    sf_arm_dls_point(m, d, &s->arm, tip, want, SF_MASK_OUTER, SF_DLS_LAMBDA, dq);
    for (int i = SF_AXIS_YAW; i <= SF_AXIS_INSERTION; i++) qref[i] = q[i] + dq[i];
    sf_arm_servo(m, d, &s->arm, qref);
    mj_step2(m, d);

    // stop at the first sign of divergence
    if (sf_bad_state_count(d) > bad0) {
      out->diverged = 1;
      out->steps = k + 1;
      break;
    }
    out->steps = k + 1;
  }

  // final measurements at the final state
  mj_kinematics(m, d);
  sf_needle_world(s, d, gpos, gquat, npos, nquat, tip);
  out->sim_time_s = d->time;
  out->tip_target_mm = 1000 * mju_dist3(tip, target);
  out->tip_entry_mm = 1000 * mju_dist3(tip, entry);
  out->track_err_max_mm = 1000 * track_max;
  out->rcm_err_max_mm = 1000 * rcm_max;
}
