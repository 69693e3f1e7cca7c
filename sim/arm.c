// arm.c: PSM ids, servo with bias cancellation, damped least squares on MuJoCo Jacobians.
#include "arm.h"

#include <stdio.h>
#include <string.h>

// axis names; joint and actuator share the name after the arm prefix
static const char* kAxisName[SF_NAXIS] = {"outer_yaw",   "outer_pitch", "insertion", "tool_roll",
                                          "wrist_pitch", "wrist_yaw",   "jaw"};

// id of the element prefix+suffix of the given type, or -1 with a message in e
static int sf_arm_find(const mjModel* m, const char* path, int type, const char* kind,
                       const char* prefix, const char* suffix, sfError* e) {
  char name[128];
  snprintf(name, sizeof(name), "%s%s", prefix, suffix);
  int id = mj_name2id(m, type, name);
  if (id < 0) {
    sf_fail(e, SF_ERR_INPUT, "model '%s' has no %s named '%s' (the PSM arm needs it)", path, kind,
            name);
  }
  return id;
}

sftStatus sf_arm_resolve(const mjModel* m, const char* path, const char* prefix, sfArm* arm,
                         sfError* e) {
  memset(arm, 0, sizeof(*arm));

  // joints and actuators of the positioning axes
  for (int i = 0; i < SF_NAXIS; i++) {
    arm->act[i] = sf_arm_find(m, path, mjOBJ_ACTUATOR, "actuator", prefix, kAxisName[i], e);
    if (arm->act[i] < 0) return SF_ERR_INPUT;
    if (i == SF_AXIS_JAW) continue;
    int j = sf_arm_find(m, path, mjOBJ_JOINT, "joint", prefix, kAxisName[i], e);
    if (j < 0) return SF_ERR_INPUT;
    arm->jnt[i] = j;
    arm->qadr[i] = m->jnt_qposadr[j];
    arm->dadr[i] = m->jnt_dofadr[j];
  }

  // the jaws, the frames and the sites
  arm->jaw_jnt[0] = sf_arm_find(m, path, mjOBJ_JOINT, "joint", prefix, "jaw", e);
  arm->jaw_jnt[1] = sf_arm_find(m, path, mjOBJ_JOINT, "joint", prefix, "jaw_mimic", e);
  arm->base_body = sf_arm_find(m, path, mjOBJ_BODY, "body", prefix, "base", e);
  arm->shaft_body = sf_arm_find(m, path, mjOBJ_BODY, "body", prefix, "shaft", e);
  arm->tcp_site = sf_arm_find(m, path, mjOBJ_SITE, "site", prefix, "tcp", e);
  arm->rcm_site = sf_arm_find(m, path, mjOBJ_SITE, "site", prefix, "rcm", e);
  if (arm->jaw_jnt[0] < 0 || arm->jaw_jnt[1] < 0 || arm->base_body < 0 || arm->shaft_body < 0 ||
      arm->tcp_site < 0 || arm->rcm_site < 0) {
    return SF_ERR_INPUT;
  }
  arm->tcp_body = m->site_bodyid[arm->tcp_site];

  // the instrument's geoms: those of the shaft body and of every body under it
  for (int g = 0; g < m->ngeom; g++) {
    int b = m->geom_bodyid[g];
    while (b > 0 && b != arm->shaft_body) b = m->body_parentid[b];
    if (b != arm->shaft_body) continue;
    if (arm->ntool == SF_ARM_MAX_TOOL_GEOMS) {
      return sf_fail(e, SF_ERR_INPUT,
                     "model '%s': the instrument of arm '%s' has more than %d geoms", path, prefix,
                     SF_ARM_MAX_TOOL_GEOMS);
    }
    arm->tool_geom[arm->ntool++] = g;
  }
  return SF_OK;
}

mjtNum sf_arm_rcm_error(const mjModel* m, const mjData* d, const sfArm* arm, const mjtNum p[3]) {
  // shaft axis: through the shaft body origin along its z axis
  const mjtNum* o = d->xpos + 3 * arm->shaft_body;
  const mjtNum* r = d->xmat + 9 * arm->shaft_body;
  mjtNum axis[3] = {r[2], r[5], r[8]};
  mjtNum v[3];
  mju_sub3(v, p, o);

  // remove the component along the axis; what remains is the distance to the line
  mjtNum along = mju_dot3(v, axis);
  mjtNum perp[3];
  mju_addScl3(perp, v, axis, -along);
  return mju_norm3(perp);
}

mjtNum sf_arm_clearance(const mjModel* m, const mjData* d, const sfArm* a, const sfArm* b,
                        mjtNum margin) {
  mjtNum best = margin;
  mjContact con[mjMAXCONPAIR];
  for (int i = 0; i < a->ntool; i++) {
    for (int j = 0; j < b->ntool; j++) {
      // as MuJoCo's own pass: bounding spheres first, then the pair's function (the table is
      // filled for type 1 <= type 2)
      int g1 = a->tool_geom[i], g2 = b->tool_geom[j];
      mjtNum w[3];
      mju_sub3(w, d->geom_xpos + 3 * g1, d->geom_xpos + 3 * g2);
      if (mju_norm3(w) > m->geom_rbound[g1] + m->geom_rbound[g2] + margin) continue;
      if (m->geom_type[g1] > m->geom_type[g2]) {
        int t = g1;
        g1 = g2, g2 = t;
      }
      mjfCollision collide = mjCOLLISIONFUNC[m->geom_type[g1]][m->geom_type[g2]];
      if (!collide) continue;
      int n = collide(m, d, con, g1, g2, margin);
      for (int k = 0; k < n; k++) {
        if (con[k].dist < best) best = con[k].dist;
      }
    }
  }
  return best;
}

void sf_arm_axes(const mjModel* m, const mjData* d, const sfArm* arm, mjtNum q[SF_NAXIS]) {
  for (int i = 0; i < SF_NJOINT; i++) q[i] = d->qpos[arm->qadr[i]];
  q[SF_AXIS_JAW] =
      d->qpos[m->jnt_qposadr[arm->jaw_jnt[0]]] + d->qpos[m->jnt_qposadr[arm->jaw_jnt[1]]];
}

void sf_arm_servo(const mjModel* m, const mjData* d, const sfArm* arm, const mjtNum qref[SF_NAXIS],
                  mjtNum* ctrl) {
  for (int i = 0; i < SF_NAXIS; i++) {
    int a = arm->act[i];
    mjtNum u = qref[i];

    // bias feed-forward: shift the setpoint by the bias force over the servo stiffness
    if (i < SF_NJOINT) u += d->qfrc_bias[arm->dadr[i]] / m->actuator_gainprm[a * mjNGAIN];
    ctrl[a] = mju_clip(u, m->actuator_ctrlrange[2 * a], m->actuator_ctrlrange[2 * a + 1]);
  }
}
