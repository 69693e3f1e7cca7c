// needle.h: geometry of the half-circle suture needle and of a grasp on it.
//
// Needle frame: the arc's centre at the origin, the arc in the x-y plane, the tail at angle 0
// (r, 0, 0) and the tip at angle pi (-r, 0, 0). Turning about +z moves every point of the arc
// along the arc with the tip leading: that is "driving the needle along its arc".
#ifndef SUTUREFLEET_SIM_NEEDLE_H_
#define SUTUREFLEET_SIM_NEEDLE_H_

#include <mujoco/mujoco.h>

#define SF_NEEDLE_SAMPLES 25  // arc sample points used by the tissue model (tail .. tip)

// point of the arc at angle a (rad, from the tail) in the needle frame (3)
void sf_needle_point(mjtNum radius_m, mjtNum a, mjtNum out[3]);

// forward tangent (unit, direction of motion when driving) at angle a, needle frame (3)
void sf_needle_tangent(mjtNum a, mjtNum out[3]);

// pose (pos 3, quat 4) of the needle frame in the tcp frame for a grasp at arc angle grasp_a
// (rad, from the tail) with a tilt (rad) about the wire. The grasped point sits at the tcp
// origin, the wire runs along tcp y, and the needle's normal is -z of the tcp (the jaws point
// along the needle's axis of rotation, so rolling the instrument drives the needle). The jaws
// are symmetric, so the needle may lie on either side of them: side +1 puts its centre on the
// tcp's +x side, side -1 on the -x side (the same grasp turned half a turn about the tool)
void sf_grasp_pose(mjtNum radius_m, mjtNum grasp_a, mjtNum tilt, int side, mjtNum pos[3],
                   mjtNum quat[4]);

// distance (m) from point q (needle frame) to the arc; *a gets the arc angle of the closest
// arc point (clamped to [0, pi]) when a is not NULL
mjtNum sf_needle_closest(mjtNum radius_m, const mjtNum q[3], mjtNum* a);

// world position of the local point p (3) of a frame at (pos, quat)
void sf_frame_point(const mjtNum pos[3], const mjtNum quat[4], const mjtNum p[3], mjtNum out[3]);

// pose of b expressed in frame a: (rel_pos, rel_quat) = a^-1 * b
void sf_pose_relative(const mjtNum apos[3], const mjtNum aquat[4], const mjtNum bpos[3],
                      const mjtNum bquat[4], mjtNum rel_pos[3], mjtNum rel_quat[4]);

#endif  // SUTUREFLEET_SIM_NEEDLE_H_
