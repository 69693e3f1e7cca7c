// ik.c: damped least squares pose steps and an iterative solver.
#include "ik.h"

#include <stdlib.h>
#include <string.h>

void sf_ik_make(sfIk* ik, const mjModel* m) {
  ik->nv = m->nv;
  ik->jacp = SF_CALLOC(3 * (size_t)m->nv, sizeof(mjtNum));
  ik->jacr = SF_CALLOC(3 * (size_t)m->nv, sizeof(mjtNum));
}

void sf_ik_free(sfIk* ik) {
  if (!ik) return;
  free(ik->jacp);
  free(ik->jacr);
  ik->jacp = ik->jacr = NULL;
}

void sf_ik_frame(const mjModel* m, const mjData* d, const sfArm* arm, const mjtNum opos[3],
                 const mjtNum oquat[4], mjtNum pos[3], mjtNum quat[4]) {
  mjtNum tq[4];
  mju_mat2Quat(tq, d->site_xmat + 9 * arm->tcp_site);
  mju_mulPose(pos, quat, d->site_xpos + 3 * arm->tcp_site, tq, opos, oquat);
}

void sf_ik_error(const mjtNum pos[3], const mjtNum quat[4], const mjtNum tpos[3],
                 const mjtNum tquat[4], mjtNum err[6]) {
  mju_sub3(err, tpos, pos);

  // rotation taking the current orientation to the target, as a world rotation vector
  mjtNum inv[4], q[4];
  mju_negQuat(inv, quat);
  mju_mulQuat(q, tquat, inv);
  if (q[0] < 0) mju_scl(q, q, -1, 4);
  mju_quat2Vel(err + 3, q, 1);
}

void sf_ik_step(sfIk* ik, const mjModel* m, const mjData* d, const sfArm* arm, const mjtNum opos[3],
                const mjtNum oquat[4], const mjtNum tpos[3], const mjtNum tquat[4],
                mjtNum dq[SF_NAXIS]) {
  // error of the frame, rotation weighted into metres
  mjtNum pos[3], quat[4], err[6];
  sf_ik_frame(m, d, arm, opos, oquat, pos, quat);
  sf_ik_error(pos, quat, tpos, tquat, err);
  for (int i = 3; i < 6; i++) err[i] *= SF_IK_ROT_WEIGHT;

  // J (6 x 6) on the arm joints; S = J J' + lambda^2 I
  mj_jac(m, d, ik->jacp, ik->jacr, pos, arm->tcp_body);
  mjtNum j[6 * SF_NJOINT], s[36], y[6];
  for (int c = 0; c < SF_NJOINT; c++) {
    int dof = arm->dadr[c];
    for (int r = 0; r < 3; r++) {
      j[r * SF_NJOINT + c] = ik->jacp[r * m->nv + dof];
      j[(r + 3) * SF_NJOINT + c] = SF_IK_ROT_WEIGHT * ik->jacr[r * m->nv + dof];
    }
  }
  for (int r = 0; r < 6; r++) {
    // S is symmetric: each product once (mju_dot(a, b) == mju_dot(b, a) bit for bit)
    for (int c = r; c < 6; c++) {
      s[6 * r + c] = s[6 * c + r] = mju_dot(j + r * SF_NJOINT, j + c * SF_NJOINT, 6);
    }
    s[7 * r] += SF_IK_LAMBDA * SF_IK_LAMBDA;
  }

  // dq = J' S^-1 err
  mju_cholFactor(s, 6, mjMINVAL);
  mju_cholSolve(y, s, err, 6);
  mju_zero(dq, SF_NAXIS);
  for (int c = 0; c < SF_NJOINT; c++) {
    for (int r = 0; r < 6; r++) dq[c] += j[r * SF_NJOINT + c] * y[r];
  }
}

int sf_ik_solve(sfIk* ik, const mjModel* m, mjData* d, const sfArm* arm, const mjtNum opos[3],
                const mjtNum oquat[4], const mjtNum tpos[3], const mjtNum tquat[4], int iters,
                mjtNum tol_m, mjtNum tol_rad, mjtNum* pos_err_m, mjtNum* rot_err_rad) {
  mjtNum err[6], pos[3], quat[4];
  int converged = 0;
  for (int it = 0; it <= iters; it++) {
    // kinematics and the remaining error
    mj_kinematics(m, d);
    mj_comPos(m, d);
    sf_ik_frame(m, d, arm, opos, oquat, pos, quat);
    sf_ik_error(pos, quat, tpos, tquat, err);
    if (mju_norm3(err) <= tol_m && mju_norm3(err + 3) <= tol_rad) {
      converged = 1;
      break;
    }
    if (it == iters) break;

    // step, clamped to the joint ranges
    mjtNum dq[SF_NAXIS];
    sf_ik_step(ik, m, d, arm, opos, oquat, tpos, tquat, dq);
    for (int i = 0; i < SF_NJOINT; i++) {
      const mjtNum* range = m->jnt_range + 2 * arm->jnt[i];
      d->qpos[arm->qadr[i]] = mju_clip(d->qpos[arm->qadr[i]] + dq[i], range[0], range[1]);
    }
  }
  if (pos_err_m) *pos_err_m = mju_norm3(err);
  if (rot_err_rad) *rot_err_rad = mju_norm3(err + 3);
  return converged;
}
