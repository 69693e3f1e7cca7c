// ik.h: PSM inverse kinematics by damped least squares on MuJoCo Jacobians.
//
// The controlled frame is rigidly attached to the tool (the tcp body): a pose offset from
// the tcp site, e.g. the grasped needle's frame. Joint limits are respected by clamping the
// setpoints to the actuator ranges; the remote centre of motion holds by construction (both
// outer hinges sit at the RCM).
#ifndef SUTUREFLEET_SIM_IK_H_
#define SUTUREFLEET_SIM_IK_H_

#include <mujoco/mujoco.h>

#include "arm.h"

#define SF_IK_ROT_WEIGHT 0.01  // metres of position error that weigh as much as 1 rad
#define SF_IK_LAMBDA 0.002     // damping of the least squares (m)

// scratch space of one solver, made once per thread (no allocation per step)
typedef struct sfIk_ {
  int nv;        // model dofs
  mjtNum* jacp;  // translational Jacobian (3 x nv)
  mjtNum* jacr;  // rotational Jacobian (3 x nv)
} sfIk;

// allocate scratch for model m (a failed allocation aborts, as SF_CALLOC)
void sf_ik_make(sfIk* ik, const mjModel* m);

// release scratch; accepts a zeroed or freed solver
void sf_ik_free(sfIk* ik);

// world pose (pos 3, quat 4) of the frame at offset (opos, oquat) from the tcp site; needs
// kinematics
void sf_ik_frame(const mjModel* m, const mjData* d, const sfArm* arm, const mjtNum opos[3],
                 const mjtNum oquat[4], mjtNum pos[3], mjtNum quat[4]);

// pose error (6: position in m, then rotation vector in rad, world) from current to target
void sf_ik_error(const mjtNum pos[3], const mjtNum quat[4], const mjtNum tpos[3],
                 const mjtNum tquat[4], mjtNum err[6]);

// one DLS step: dq (SF_NAXIS, jaw entry 0) moving the frame at offset (opos, oquat) towards
// the target pose using the six arm joints; needs kinematics and com positions (mj_step1 or
// mj_kinematics + mj_comPos)
void sf_ik_step(sfIk* ik, const mjModel* m, const mjData* d, const sfArm* arm, const mjtNum opos[3],
                const mjtNum oquat[4], const mjtNum tpos[3], const mjtNum tquat[4],
                mjtNum dq[SF_NAXIS]);

// iterate on d's joint positions (clamped to the joint ranges) until the frame reaches the
// target within tol_m and tol_rad or iters run out; returns 1 on convergence; d holds the
// final kinematics, and *pos_err_m / *rot_err_rad (if not NULL) the final errors
int sf_ik_solve(sfIk* ik, const mjModel* m, mjData* d, const sfArm* arm, const mjtNum opos[3],
                const mjtNum oquat[4], const mjtNum tpos[3], const mjtNum tquat[4], int iters,
                mjtNum tol_m, mjtNum tol_rad, mjtNum* pos_err_m, mjtNum* rot_err_rad);

#endif  // SUTUREFLEET_SIM_IK_H_
